/**
 * File downloads from the renderer: the same code works in Chromium and Electron (which turns an
 * anchor download into its save dialog), and needs no Node access.
 */
function clickDownload(filename: string, href: string): void {
  const a = document.createElement('a');
  a.href = href;
  a.download = filename;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
}

export function saveText(filename: string, content: string, mimeType: string): void {
  const url = URL.createObjectURL(new Blob([content], { type: mimeType }));
  clickDownload(filename, url);
  // The download has started by now; revoking later keeps slow save dialogs working.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export function saveDataUrl(filename: string, dataUrl: string): void {
  clickDownload(filename, dataUrl);
}

/** A file-name-safe version of a title. */
export function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'chart';
}
