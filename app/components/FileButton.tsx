/** A button that opens the file picker and hands over the one file chosen. */
export function FileButton({ label, accept, testId, onFile }: { label: string; accept: string; testId: string; onFile: (f: File) => void }) {
  return (
    <label className="button">
      {label}
      <input
        type="file"
        accept={accept}
        data-testid={testId}
        onChange={(e) => {
          const f = e.target.files?.[0];
          if (f) onFile(f);
          e.target.value = ''; // the same file may be chosen again
        }}
      />
    </label>
  );
}
