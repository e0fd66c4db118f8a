// Naive conv3d with PyTorch's semantics (torch.nn.functional.conv3d, groups = 1, zero padding), followed
// by the fused epilogue: y = act(conv · scale[co] + shift[co] + residual).
import { sizeOf, type Shape } from '../kernel.ts';
import { conv3dShape, type Conv3dAttrs } from './conv3d.ts';

export function conv3dRef(
  x: Float32Array, xShape: Shape, w: Float32Array, wShape: Shape, attrs: Conv3dAttrs,
  affine?: Float32Array, residual?: Float32Array, into?: Float32Array,
): Float32Array {
  const yShape = conv3dShape(xShape, wShape, attrs);
  const [N, Cin, T, H, W] = xShape;
  const [Cout, , kT, kH, kW] = wShape;
  const [, Ctot, To, Ho, Wo] = yShape;
  const [sT, sH, sW] = attrs.stride ?? [1, 1, 1];
  const [pT, pH, pW] = attrs.padding ?? [0, 0, 0];
  const [dT, dH, dW] = attrs.dilation ?? [1, 1, 1];
  const off = attrs.outputChannelOffset ?? 0;
  const y = into ?? new Float32Array(sizeOf(yShape));
  for (let n = 0; n < N; n++)
    for (let co = 0; co < Cout; co++)
      for (let to = 0; to < To; to++)
        for (let ho = 0; ho < Ho; ho++)
          for (let wo = 0; wo < Wo; wo++) {
            let s = 0;
            for (let ci = 0; ci < Cin; ci++)
              for (let kt = 0; kt < kT; kt++) {
                const ti = to * sT - pT + kt * dT;
                if (ti < 0 || ti >= T) continue;
                for (let kh = 0; kh < kH; kh++) {
                  const hi = ho * sH - pH + kh * dH;
                  if (hi < 0 || hi >= H) continue;
                  for (let kw = 0; kw < kW; kw++) {
                    const wi = wo * sW - pW + kw * dW;
                    if (wi < 0 || wi >= W) continue;
                    s +=
                      x[(((n * Cin + ci) * T + ti) * H + hi) * W + wi] *
                      w[(((co * Cin + ci) * kT + kt) * kH + kh) * kW + kw];
                  }
                }
              }
            if (affine) s = s * affine[2 * co] + affine[2 * co + 1];
            const sp = (to * Ho + ho) * Wo + wo;
            if (residual) s += residual[(n * Cout + co) * To * Ho * Wo + sp];
            if (attrs.relu) s = Math.max(0, s);
            y[(n * Ctot + off + co) * To * Ho * Wo + sp] = s;
          }
  return y;
}
