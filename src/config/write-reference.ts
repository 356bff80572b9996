// Regenerates docs/configuration.md from the schema: node dist/src/config/write-reference.js
import { writeFileSync } from 'node:fs';
import { referencePath } from './reference-path';
import { renderReference } from './reference';

writeFileSync(referencePath(), renderReference());
console.log(`wrote ${referencePath()}`);
