/** The file types a video input takes. */
export const VIDEO_TYPES = 'video/*,.mp4,.webm,.mov,.mkv,.gif';

type FileButtonProps = { label: string; accept: string; testId: string; /** Picks a folder: every file under it. */ directory?: boolean } & (
  | { multiple?: false; onFile: (f: File) => void }
  /** Several files at once, handed over together. */
  | { multiple: true; onFiles: (files: File[]) => void }
);

/** A button that opens the file picker and hands over the file (or files) chosen. */
export function FileButton(props: FileButtonProps) {
  return (
    <label className="button">
      {props.label}
      <input
        type="file"
        accept={props.accept}
        multiple={props.multiple}
        {...(props.directory ? { webkitdirectory: '' } : {})}
        data-testid={props.testId}
        onChange={(e) => {
          const files = [...(e.target.files ?? [])];
          if (files.length) {
            if (props.multiple) props.onFiles(files);
            else props.onFile(files[0]);
          }
          e.target.value = ''; // the same file may be chosen again
        }}
      />
    </label>
  );
}
