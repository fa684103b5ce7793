// `npm run gen:api`: writes the UI's generated API types (see generate.ts) from the built server.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { generateApiTypes, repoRoot } from './generate';

async function main(): Promise<void> {
  const root = repoRoot();
  for (const [path, text] of Object.entries(await generateApiTypes(root))) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
    console.log(`wrote ${path}`);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
