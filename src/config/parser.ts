// Turns sipd.conf text into a validated SipdConfig, collecting every problem with its line.
import { dirname, isAbsolute, resolve } from 'node:path';
import {
  parseAccess, parseDebugFlag, parseGatekeeper, parseListen, parseNumExp, parseRpmsServer, parseTechPrefix, splitWords,
} from './compound-values';
import { checkConsistency } from './consistency';
import { resolvePaths, unresolvedDefaults } from './defaults';
import { DIRECTIVES, SECTIONS, findDirective, mysqlFieldName, propertyOf } from './directives';
import { ConfigError, type ConfigProblem } from './errors';
import { type ConfigLine, lexConfig } from './lexer';
import type { DirectiveSpec, SectionName } from './schema-types';
import type { LoadedConfig, SipdConfig } from './types';
import { type Parsed, describeType, parseScalar } from './values';
import { MAX_VIRTUAL_PROXY_HOSTS } from './virtual-proxy-hosts';

interface OpenSection { name: SectionName; id: string; line: number }

const MYSQL_FIELD = DIRECTIVES.find((d) => d.type.kind === 'mysqlField') as DirectiveSpec;
const MAX_GATEKEEPERS_PER_CLUSTER = 5;

class ConfigBuilder {
  readonly values: Record<string, unknown>;
  readonly problems: ConfigProblem[] = [];
  readonly warnings: string[] = [];
  /** Where each setting was made, for duplicate and cross-directive checks. */
  readonly setAt = new Map<string, number>();
  section?: OpenSection;

  constructor(readonly file: string) {
    this.values = unresolvedDefaults(resolve(dirname(resolve(file)), '..'));
  }

  problem(line: number, reason: string): void {
    this.problems.push({ file: this.file, line, reason });
  }

  /** Records a setting; false (with a problem) if the same key was already set. */
  claim(key: string, label: string, line: number): boolean {
    const earlier = this.setAt.get(key);
    if (earlier !== undefined) {
      this.problem(line, `${label} is already set on line ${earlier}; only one line may be active`);
      return false;
    }
    this.setAt.set(key, line);
    return true;
  }

  handle(entry: ConfigLine): void {
    if (entry.kind === 'open') this.open(entry.line, entry.name, entry.args);
    else if (entry.kind === 'close') this.close(entry.line, entry.name);
    else this.directive(entry.line, entry.name, entry.args);
  }

  finish(): void {
    if (this.section) this.problem(this.section.line, `<${this.section.name}> is not closed`);
  }

  private open(line: number, rawName: string, args: string[]): void {
    const name = (Object.keys(SECTIONS) as SectionName[]).find((s) => s.toLowerCase() === rawName.toLowerCase());
    if (!name) return this.problem(line, `<${rawName}> is not a known section (${Object.keys(SECTIONS).join(', ')})`);
    if (this.section) {
      this.problem(line, `<${name}> cannot be nested inside <${this.section.name}> opened on line ${this.section.line}`);
      return;
    }
    if (args.length === 0 || (name !== 'VirtualHost' && args.length > 1)) {
      return this.problem(line, `<${name}> needs exactly one ${SECTIONS[name].argument}, got ${args.length}`);
    }
    const id = args.join(' ');
    this.section = { name, id, line };
    if (name === 'VirtualHost') return;
    if (name === 'RASGatekeeperCluster' && !(/^\d+$/.test(id) && Number(id) >= 1 && Number(id) <= 65535)) {
      this.problem(line, `<RASGatekeeperCluster> priority must be an integer from 1 to 65535, got "${id}"`);
    }
    const property = { NumberPlan: 'NumberPlans', VirtualProxyHost: 'VirtualProxyHosts', RASGatekeeperCluster: 'RASGatekeeperClusters' }[name];
    const containers = this.values[property] as Record<string, unknown>;
    if (!this.claim(`<${name} ${id}>`, `<${name} ${id}>`, line)) return;
    if (name === 'VirtualProxyHost' && Object.keys(containers).length >= MAX_VIRTUAL_PROXY_HOSTS) {
      this.problem(line, `at most ${MAX_VIRTUAL_PROXY_HOSTS} <VirtualProxyHost> sections are allowed`);
    }
    containers[id] = name === 'VirtualProxyHost' ? {} : [];
  }

  private close(line: number, rawName: string): void {
    const open = this.section;
    if (!open || open.name.toLowerCase() !== rawName.toLowerCase()) {
      const inside = open ? ` (inside <${open.name}> opened on line ${open.line})` : '';
      return this.problem(line, `</${rawName}> has no matching <${rawName}>${inside}`);
    }
    if (open.name === 'VirtualProxyHost') {
      const host = (this.values.VirtualProxyHosts as Record<string, Record<string, string>>)[open.id];
      if (host && host.Virtual_Proxy_Domain === undefined) {
        this.problem(open.line, `<VirtualProxyHost ${open.id}> needs a Virtual_Proxy_Domain line`);
      }
    }
    this.section = undefined;
  }

  private directive(line: number, rawName: string, args: string[]): void {
    const spec = findDirective(rawName) ?? (mysqlFieldName(rawName) === undefined ? undefined : MYSQL_FIELD);
    const field = spec?.type.kind === 'mysqlField' ? mysqlFieldName(rawName) : undefined;
    if (!spec) return this.problem(line, `${rawName} is not a known directive`);
    if (!this.allowedHere(line, spec)) return;
    if (this.apply(line, spec, args, field) && !spec.implemented) {
      this.warnings.push(`${this.file}:${line}: ${spec.name} is recognised but not implemented yet`);
    }
  }

  private allowedHere(line: number, spec: DirectiveSpec): boolean {
    const here = this.section?.name;
    if (spec.section && spec.section !== here) {
      this.problem(line, `${spec.name} is only allowed inside <${spec.section}>`);
      return false;
    }
    const allowedInVirtualHost = here === 'VirtualHost' && spec.name === 'CustomLog';
    if (!spec.section && here && !allowedInVirtualHost) {
      this.problem(line, `${spec.name} is not allowed inside <${here}>`);
      return false;
    }
    return true;
  }

  /** Stores the value; false when it was rejected. */
  private apply(line: number, spec: DirectiveSpec, args: string[], field?: string): boolean {
    const { name } = spec;
    const report = <T>(parsed: Parsed<T>): parsed is { ok: true; value: T } => {
      if (!parsed.ok) this.problem(line, parsed.reason);
      return parsed.ok;
    };
    const section = this.section;
    switch (spec.type.kind) {
      case 'listen': {
        const addr = this.single(line, spec, args) ?? '';
        const parsed = addr === '' ? undefined : parseListen(addr);
        if (!parsed || !report(parsed)) return false;
        const key = `Listen ${parsed.value.host ?? '*'} ${parsed.value.port}`;
        if (!this.claim(key, `Listen ${addr}`, line)) return false;
        (this.values.Listen as unknown[]).push(parsed.value);
        return true;
      }
      case 'debugFlag': {
        const parsed = parseDebugFlag(args);
        if (!report(parsed) || !this.claim(`DebugFlag ${parsed.value.flag}`, `DebugFlag ${parsed.value.flag}`, line)) return false;
        (this.values.DebugFlag as Record<string, boolean>)[parsed.value.flag] = parsed.value.on;
        return true;
      }
      case 'logFormat': {
        if (args.length !== 2) return this.fail(line, `LogFormat needs a format string and a nickname, got ${args.length} values`);
        if (!this.claim(`LogFormat ${args[1]}`, `LogFormat ${args[1]}`, line)) return false;
        (this.values.LogFormat as Record<string, string>)[args[1]] = args[0];
        return true;
      }
      case 'customLog': {
        if (args.length !== 2) {
          return this.fail(line, `CustomLog needs a target and a format, got ${args.length} values`);
        }
        // A CustomLog inside <VirtualHost> is where transactions go, whatever the top level says.
        const inVirtualHost = section?.name === 'VirtualHost';
        const key = inVirtualHost ? 'CustomLog inside <VirtualHost>' : name;
        if (!this.claim(key, key, line)) return false;
        if (inVirtualHost || !this.setAt.has('CustomLog inside <VirtualHost>')) {
          this.values.CustomLog = { target: args[0], format: args[1] };
          this.setAt.set('CustomLog format', line);
        }
        return true;
      }
      case 'access': {
        const parsed = parseAccess(name === 'Allow' ? 'allow' : 'deny', args);
        if (!report(parsed)) return false;
        (this.values.AccessRules as unknown[]).push(...parsed.value);
        return true;
      }
      case 'numExp': {
        const parsed = parseNumExp(args);
        if (!report(parsed) || !section) return false;
        (this.values.NumberPlans as Record<string, unknown[]>)[section.id]?.push(parsed.value);
        return true;
      }
      case 'gatekeeper': {
        const parsed = parseGatekeeper(args);
        if (!report(parsed) || !section) return false;
        const cluster = (this.values.RASGatekeeperClusters as Record<string, unknown[]>)[section.id] ?? [];
        if (cluster.length >= MAX_GATEKEEPERS_PER_CLUSTER) {
          return this.fail(line, `RASGateKeeper: at most ${MAX_GATEKEEPERS_PER_CLUSTER} gatekeepers per cluster`);
        }
        cluster.push(parsed.value);
        return true;
      }
      case 'vphField': {
        const value = this.single(line, spec, args);
        if (value === undefined || !section) return false;
        if (name === 'Virtual_Proxy_Server_IP' && !report(parseScalar(name, { kind: 'ip' }, value))) return false;
        if (!this.claim(`${name} in ${section.id}`, `${name} in <VirtualProxyHost ${section.id}>`, line)) return false;
        const host = (this.values.VirtualProxyHosts as Record<string, Record<string, string>>)[section.id];
        if (host) host[name] = value;
        return true;
      }
      case 'techPrefix':
      case 'rpmsServer': {
        const parsed: Parsed<unknown> = spec.type.kind === 'techPrefix' ? parseTechPrefix(args) : parseRpmsServer(args);
        if (!report(parsed)) return false;
        const list = this.values[name] as unknown[];
        if (spec.type.kind === 'rpmsServer' && list.length >= spec.type.max) {
          return this.fail(line, `${name}: at most ${spec.type.max} servers`);
        }
        list.push(parsed.value);
        return true;
      }
      case 'words': {
        const words = splitWords(args);
        if (words.length === 0) return this.fail(line, `${name} needs a value: ${describeType(spec.type)}`);
        const list = this.values[name] as string[];
        if (spec.type.max !== undefined && list.length + words.length > spec.type.max) {
          return this.fail(line, `${name} holds at most ${spec.type.max} entries`);
        }
        list.push(...words);
        return true;
      }
      case 'mysqlField': {
        const value = this.single(line, spec, args);
        if (value === undefined || field === undefined || !this.claim(`DB_MySQL_${field}_Field`, `DB_MySQL_${field}_Field`, line)) return false;
        (this.values.DB_MySQL_XXX_Field as Record<string, string>)[field] = value;
        return true;
      }
      default: {
        const raw = this.single(line, spec, args);
        if (raw === undefined) return false;
        const parsed = parseScalar(name, spec.type, raw);
        if (!report(parsed) || !this.claim(name, name, line)) return false;
        if (name === 'ServerRoot' && !isAbsolute(raw)) return this.fail(line, `ServerRoot must be an absolute path, got "${raw}"`);
        this.values[propertyOf(spec)] = name === 'ServerRoot' ? resolve(raw) : parsed.value;
        return true;
      }
    }
  }

  private fail(line: number, reason: string): false {
    this.problem(line, reason);
    return false;
  }

  /** The one value a directive takes, or undefined (with a problem) when there is none or several. */
  private single(line: number, spec: DirectiveSpec, args: string[]): string | undefined {
    if (args.length === 1) return args[0];
    const expected = describeType(spec.type);
    if (args.length === 0) this.problem(line, `${spec.name} needs a value: ${expected}`);
    else this.problem(line, `${spec.name} takes one value (${expected}), got ${args.length}: "${args.join(' ')}"; quote values holding spaces`);
    return undefined;
  }
}

export function parseConfigText(text: string, file: string): LoadedConfig {
  const builder = new ConfigBuilder(file);
  const lexed = lexConfig(text);
  for (const e of lexed.errors) builder.problem(e.line, e.reason);
  for (const entry of lexed.lines) builder.handle(entry);
  builder.finish();
  for (const p of checkConsistency(builder.values, builder.setAt)) builder.problem(p.line, p.reason);
  if (builder.problems.length > 0) {
    throw new ConfigError([...builder.problems].sort((a, b) => a.line - b.line));
  }
  resolvePaths(builder.values);
  return { config: builder.values as unknown as SipdConfig, warnings: builder.warnings, file };
}
