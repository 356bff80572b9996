// Command line of `npm run bench`.
import { LOAD_TESTS, type LoadTest } from './step';

/** In-process lookups, timed without a proxy: the route table and the registry (issue 4). */
export const LOOKUP_TESTS = ['routes', 'registry'] as const;
export type LookupTest = (typeof LOOKUP_TESTS)[number];

/** The tests that run against a proxy process. */
export type ProxyTest = LoadTest | 'mem';
export type TestName = ProxyTest | LookupTest;

export function isLookupTest(name: TestName): name is LookupTest {
  return (LOOKUP_TESTS as readonly string[]).includes(name);
}

export interface BenchArgs {
  /** host:port of an already running proxy; absent: the bench starts sipd itself. */
  target?: string;
  /** pid of that proxy, for CPU and memory figures. */
  pid?: number;
  tests: TestName[];
  /** Seconds per load step. */
  duration: number;
  regRates: number[];
  callRates: number[];
  memUsers: number;
  memRate: number;
  /** Size of the route table of the routes test. */
  routes: number;
  /** Bindings in the registry of the registry test. */
  bindings: number;
  /** Timed lookups per lookup figure. */
  lookups: number;
  kamailio: boolean;
  kamailioCfg: string;
}

export const USAGE = `usage: node dist/bench/main.js [--target host:port] [--pid N] [--tests reg,regauth,call,mem,routes,registry]
       [--duration 10] [--reg-rates 1000,2000,...] [--call-rates 250,500,...]
       [--mem-users 100000] [--mem-rate 2000] [--routes 100000] [--bindings 1000000] [--lookups 200000]
       [--kamailio] [--kamailio-cfg PATH]`;

const DEFAULTS: BenchArgs = {
  tests: ['reg', 'regauth', 'call', 'mem', 'routes', 'registry'],
  duration: 10,
  regRates: [2000, 4000, 8000, 12000, 16000, 24000, 32000, 40000],
  callRates: [500, 1000, 1500, 2000, 3000, 4000, 5000, 6000],
  memUsers: 100_000,
  memRate: 2000,
  routes: 100_000,
  bindings: 1_000_000,
  lookups: 200_000,
  kamailio: false,
  kamailioCfg: '/work/shared/bench/kamailio/kamailio.cfg',
};

function positive(name: string, value: string | undefined): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} needs a positive number, got ${value}`);
  return n;
}

function whole(name: string, value: string | undefined): number {
  const n = positive(name, value);
  if (!Number.isInteger(n)) throw new Error(`${name} needs a whole number, got ${value}`);
  return n;
}

function rates(name: string, value: string | undefined): number[] {
  return (value ?? '').split(',').map((v) => positive(name, v));
}

function testNames(value: string | undefined): TestName[] {
  const names = (value ?? '').split(',');
  const known: readonly string[] = [...LOAD_TESTS, 'mem', ...LOOKUP_TESTS];
  for (const n of names) if (!known.includes(n)) throw new Error(`unknown test ${n}`);
  return names as TestName[];
}

export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const args: BenchArgs = { ...DEFAULTS };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const next = (): string | undefined => argv[++i];
    switch (flag) {
      case '--target': args.target = next(); break;
      case '--pid': args.pid = positive(flag, next()); break;
      case '--tests': args.tests = testNames(next()); break;
      case '--duration': args.duration = positive(flag, next()); break;
      case '--reg-rates': args.regRates = rates(flag, next()); break;
      case '--call-rates': args.callRates = rates(flag, next()); break;
      case '--mem-users': args.memUsers = positive(flag, next()); break;
      case '--mem-rate': args.memRate = positive(flag, next()); break;
      case '--routes': args.routes = whole(flag, next()); break;
      case '--bindings': args.bindings = whole(flag, next()); break;
      case '--lookups': args.lookups = whole(flag, next()); break;
      case '--kamailio': args.kamailio = true; break;
      case '--kamailio-cfg': args.kamailio = true; args.kamailioCfg = next() ?? ''; break;
      default: throw new Error(`unknown option ${flag}\n${USAGE}`);
    }
  }
  if (args.target !== undefined && !/^[^:]+:\d+$/.test(args.target)) throw new Error('--target needs host:port');
  return args;
}
