// Installs what `npm start` and `npm test` need on a fresh clone, or says exactly what to install and stops.
// Only Node built-ins here: this runs before node_modules exists.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function fail(lines) {
  console.error(['', ...lines, ''].join('\n'));
  process.exit(1);
}

/** Runs `npm ci` when node_modules is missing or older than package-lock.json. */
export function ensureNodeModules() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 19)) {
    fail([`Node.js ${process.versions.node} is too old: install Node.js 20.19 or newer (https://nodejs.org).`]);
  }
  const stamp = join(root, 'node_modules', '.package-lock.json');
  const lock = join(root, 'package-lock.json');
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= statSync(lock).mtimeMs) return;
  console.log('Installing npm dependencies (npm ci)…');
  const r = spawnSync('npm', ['ci', '--no-fund', '--no-audit'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) fail(['`npm ci` failed; see the output above.']);
}

const chromium = JSON.parse(readFileSync(join(root, 'scripts', 'chromium.json'), 'utf8'));
export const chromiumPath = process.env.CHROMIUM_PATH || chromium.executablePath;
/** The flags that give Chromium WebGPU on SwiftShader (scripts/chromium.json). */
export const chromiumArgs = chromium.args;

const firefox = JSON.parse(readFileSync(join(root, 'scripts', 'firefox.json'), 'utf8'));
export const firefoxPath = process.env.FIREFOX_PATH || firefox.executablePath;
/** Firefox's prefs for the engine: its own, and Gecko's WebGPU (wgpu; Mesa's lavapipe without a GPU) unless `webgpu` is false. */
export const firefoxPrefs = (webgpu = true) => ({ ...firefox.prefs, ...(webgpu ? firefox.webgpuPrefs : {}) });
const webkit = JSON.parse(readFileSync(join(root, 'scripts', 'webkit.json'), 'utf8'));

function isDebianLike() {
  return existsSync('/etc/debian_version') && existsSync('/usr/bin/apt-get');
}

function commandExists(name) {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

/**
 * Tests drive the system Chromium (we never download a browser build) and make fake-webcam files with
 * ffmpeg; with `otherEngines`, Firefox ESR too, whose WebGPU needs a Vulkan driver (Mesa's lavapipe where there
 * is no GPU), and WebKitGTK's WebDriver under Xvfb. On Debian as root we install them with apt; elsewhere we say what to install.
 */
export function ensureSystemPackages({ needFfmpeg, otherEngines = false }) {
  const missing = [];
  if (!existsSync(chromiumPath)) missing.push('chromium');
  if (needFfmpeg && !commandExists('ffmpeg')) missing.push('ffmpeg');
  if (otherEngines && !existsSync(firefoxPath)) missing.push('firefox-esr');
  if (otherEngines && !existsSync('/usr/share/vulkan/icd.d/lvp_icd.x86_64.json') && !existsSync('/usr/share/vulkan/icd.d/lvp_icd.aarch64.json')) missing.push('mesa-vulkan-drivers');
  // WebKit: its WebDriver and MiniBrowser, a virtual display for it, and GStreamer's H.264 decoder for its WebCodecs.
  if (otherEngines && !existsSync(webkit.driverPath)) missing.push('webkit2gtk-driver');
  if (otherEngines && !commandExists('xvfb-run')) missing.push('xvfb');
  if (otherEngines && !commandExists('xauth')) missing.push('xauth');
  if (otherEngines && !existsSync('/usr/lib/x86_64-linux-gnu/gstreamer-1.0/libgstlibav.so') && !existsSync('/usr/lib/aarch64-linux-gnu/gstreamer-1.0/libgstlibav.so')) missing.push('gstreamer1.0-libav');
  if (missing.length === 0) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot && isDebianLike()) {
    console.log(`Installing ${missing.join(' and ')} with apt…`);
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
    execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    return;
  }
  fail([
    `Missing: ${missing.join(', ')}.`,
    isDebianLike()
      ? `Install with:  sudo apt-get update && sudo apt-get install -y ${missing.join(' ')}`
      : `Install ${missing.join(' and ')} with your system's package manager.`,
    missing.includes('chromium')
      ? `Or point CHROMIUM_PATH at an existing Chromium or Chrome binary (looked for ${chromiumPath}).`
      : '',
    missing.includes('firefox-esr') ? `Or point FIREFOX_PATH at an existing Firefox (looked for ${firefoxPath}).` : '',
  ]);
}
