/**
 * The thin browser adapter that saves a report file: a Blob behind a
 * temporary object URL and an `<a download>` click.
 */

/** Saves `data` as a file named `name` (the browser's download flow). */
export function downloadFile(name: string, data: string | Uint8Array, mime: string): void {
  const blob = new Blob([data as BlobPart], { type: mime });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  // Revoke later: some browsers read the URL after the click handler returns.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
