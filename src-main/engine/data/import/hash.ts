import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** Streaming SHA-256 of a file of any size (recorded with the dataset and every run). */
export function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(file, { highWaterMark: 4 << 20 })
      .on('data', (chunk) => h.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')));
  });
}
