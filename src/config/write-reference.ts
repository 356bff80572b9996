// Regenerates docs/configuration.md from the schema: node dist/src/config/write-reference.js
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { referencePath } from './reference-path';
import { renderReference } from './reference';

mkdirSync(dirname(referencePath()), { recursive: true });
writeFileSync(referencePath(), renderReference());
console.log(`wrote ${referencePath()}`);
