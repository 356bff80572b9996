// Markdown reference generated from the directive schema (committed as docs/configuration.md).
import { DIRECTIVES, SECTIONS } from './directives';
import type { DirectiveGroup, DirectiveSpec } from './schema-types';
import { describeType, formatDefault } from './values';

const GROUP_TITLES: Readonly<Record<DirectiveGroup, string>> = {
  'server-global': 'Server-global directives',
  'host-specific': 'Host-specific directives',
  'server-core': 'Server-core directives',
  mysql: 'MySQL subscriber table (module mysql)',
  gktmp: 'GKTMP interface (module gktmp)',
  accounting: 'Accounting (module accounting)',
  radius: 'RADIUS client (module radius)',
  auth: 'Authentication (module auth)',
  acl: 'Access control and trust lists (module acl)',
  abuse: 'Abuse resistance (sipd: rate limits, connection and transaction limits, scanners)',
  privacy: 'Privacy (module privacy)',
  preauth: 'Pre-authorization query (module preauth)',
  callforward: 'Call forwarding (module callforward)',
  numexpand: 'Number expansion (module numexpand)',
  enum: 'ENUM translation (module enum)',
  routing: 'Next-hop routing (module routing)',
  registry: 'Registry (module registry)',
  virtualproxyhost: 'Virtual proxy hosts (module virtualproxyhost)',
  ras: 'H.323 RAS (module ras)',
};

/** Escapes what would break a table cell or be read as an HTML tag. */
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const code = (text: string) => '`' + text.replace(/\|/g, '\\|') + '`';

function defaultCell(spec: DirectiveSpec): string {
  if (spec.defaultText !== undefined) return spec.defaultText;
  return spec.default === undefined ? 'unset' : formatDefault(spec.type, spec.default);
}

function row(spec: DirectiveSpec): string {
  const name = code(spec.name) + (spec.section ? ` in ${code(`<${spec.section}>`)}` : '');
  const rest = [
    describeType(spec.type), defaultCell(spec), spec.restart === 'restart' ? 'full restart' : 'graceful',
    spec.implemented ? 'yes' : 'no', spec.description,
  ].map(cell);
  return `| ${[name, ...rest].join(' | ')} |`;
}

export function renderReference(): string {
  const out: string[] = [
    '# sipd configuration reference',
    '',
    'Generated from the directive schema in `src/config/` (`node dist/src/config/write-reference.js`); do not edit by hand.',
    '',
    'Syntax: one `Directive value...` per line; directive names are case-insensitive; `#` starts a comment line;',
    'double quotes group words holding spaces (`\\"` is a quote inside them). Each directive may be set once,',
    'except list directives (Listen, Allow, Deny, IgnoreProxyRequire, ...), which may repeat. Relative paths are',
    'taken from ServerRoot; a log target `"|program args"` pipes into a program. "Restart needed" says whether',
    'a graceful restart applies a change or a full restart is required. Directives that are not implemented yet',
    'are still checked, and setting one produces a warning.',
  ];
  const groups = [...new Set(DIRECTIVES.map((d) => d.group))];
  for (const group of groups) {
    out.push('', `## ${GROUP_TITLES[group]}`, '',
      '| Directive | Type / range | Default | Restart needed | Implemented | Description |',
      '|---|---|---|---|---|---|');
    for (const spec of DIRECTIVES.filter((d) => d.group === group)) out.push(row(spec));
  }
  out.push('', '## Containers', '', '| Container | Argument | Contents |', '|---|---|---|');
  for (const [name, section] of Object.entries(SECTIONS)) {
    out.push(`| ${code(`<${name}> ... </${name}>`)} | ${cell(section.argument)} | ${cell(section.description)} |`);
  }
  return out.join('\n') + '\n';
}
