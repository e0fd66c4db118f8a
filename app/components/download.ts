/** Hands a file to the browser's downloads (the user's Save dialog or folder). */
export function download(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  Object.assign(document.createElement('a'), { href: url, download: name }).click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Text as a downloaded file of that MIME type. */
export const downloadText = (name: string, type: string, text: string) => download(name, new Blob([text], { type }));
