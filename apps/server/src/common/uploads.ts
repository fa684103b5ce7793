// Multipart file parts as the routes that take uploads read them. busboy stops a part at its `fileSize` cap
// and only marks the stream (`truncated`): read through `refuseTruncated`, an upload over the cap fails instead
// of ending as if the file were shorter.
import type { Readable } from 'node:stream';

/** The chunks of a file part; throws `tooLarge()` once busboy has cut it at its cap. */
export async function* refuseTruncated(
  file: Readable & { truncated?: boolean },
  tooLarge: () => Error,
): AsyncGenerator<Buffer> {
  for await (const chunk of file as AsyncIterable<Buffer>) {
    if (file.truncated) throw tooLarge();
    yield chunk;
  }
  if (file.truncated) throw tooLarge();
}
