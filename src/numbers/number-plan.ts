/*
 * A compiled number plan: the NumExp rules of <NumberPlan ID> blocks (SPEC NEX-1..4).
 *
 * The seed's own example numbers disagree with each other (SPEC CONTRA-16), so sipd uses these rules (SPEC D-7):
 *
 * Matching. A pattern matches the whole user, one character for one character: a digit, "+", "*" or "#" matches
 * itself and "." matches any one digit 0-9. "2...." matches 20002 but neither 2002 nor 200002 (as "9.." matches
 * 911 but not 9111 in routes). "*" is a literal star here (*69); the routes' any-digits wildcard does not exist in
 * number plans.
 *
 * Which rule. When several patterns match, the most specific wins: reading left to right, at the first position
 * where two patterns differ, a literal beats ".". For 2012, "20.." beats "2..."; for 2112, "21.." beats "2.1.".
 * File order never matters; the same pattern twice in one set of rules is a configuration error.
 *
 * Replacement. The replacement is written out with each "." replaced by a digit the pattern's "." positions
 * matched, aligned on the right: the last "." of the replacement takes the last wildcard digit, the one before it
 * the wildcard digit before that, and so on. With as many dots on both sides this is plain left-to-right order;
 * with fewer, the leading wildcard digits are dropped; more dots than the pattern has is a configuration error.
 *
 *   NumExp 2.... +1919392....        20002        -> +19193920002
 *   NumExp 5.... +1303555....        51234        -> +13035551234  (the GUI's "From 5 To +1303555", 5-digit numbers)
 *   NumExp 8... 5555...              8123         -> 5555123
 *   NumExp +1888555.... ....         +18885550100 -> 0100          (stripping a prefix)
 *   NumExp 91.......... .......      914085550100 -> 5550100       (fewer dots: the area code is dropped)
 *   NumExp 0 +14085550000            0            -> +14085550000  (no dots: a fixed number)
 */
import type { NumberExpansion } from '../config/types';

const DIAL_STRING = /^[0-9+*#.]+$/;
const DOT = 46;
const DIGIT_0 = 48;
const DIGIT_9 = 57;

export class NumberPlanError extends Error {}

interface CompiledRule {
  readonly pattern: string;
  /** Literal text and, as numbers, the positions in the user of the digits that fill the replacement's dots. */
  readonly output: readonly (string | number)[];
}

interface Node {
  readonly literal: Map<number, Node>;
  digit?: Node;
  rule?: CompiledRule;
}

function newNode(): Node {
  return { literal: new Map() };
}

export class NumberPlan {
  private readonly root = newNode();
  private count = 0;

  /**
   * Compiles <NumberPlan ID> blocks (ID -> rules) into one plan; several blocks act as one set of rules.
   * Throws NumberPlanError naming the block and rule on a bad rule.
   */
  static compile(blocks: Readonly<Record<string, readonly NumberExpansion[]>>): NumberPlan {
    const plan = new NumberPlan();
    for (const [id, rules] of Object.entries(blocks)) for (const rule of rules) plan.add(rule, `NumberPlan ${id}`);
    return plan;
  }

  private constructor() {}

  /** Number of rules. */
  get size(): number {
    return this.count;
  }

  /** The expansion of `user` by the most specific matching rule, or undefined when no rule matches. */
  lookup(user: string): string | undefined {
    const rule = find(this.root, user, 0);
    if (rule === undefined) return undefined;
    let out = '';
    for (const part of rule.output) out += typeof part === 'number' ? user[part] : part;
    return out;
  }

  /** The expansion of `user`, or `user` itself when no rule matches. */
  expand(user: string): string {
    return this.lookup(user) ?? user;
  }

  private add(rule: NumberExpansion, label: string): void {
    const { pattern, replacement } = rule;
    const where = `${label}: NumExp ${pattern} ${replacement}`;
    if (!DIAL_STRING.test(pattern)) throw new NumberPlanError(`${where}: the pattern may hold only digits, ".", "*", "#" and "+"`);
    if (replacement === '') throw new NumberPlanError(`${where}: the replacement is empty`);
    if (!DIAL_STRING.test(replacement)) throw new NumberPlanError(`${where}: the replacement may hold only digits, ".", "*", "#" and "+"`);
    const wildcards: number[] = [];
    let node = this.root;
    for (let i = 0; i < pattern.length; i++) {
      const c = pattern.charCodeAt(i);
      if (c === DOT) {
        wildcards.push(i);
        node = node.digit ??= newNode();
      } else {
        let next = node.literal.get(c);
        if (next === undefined) node.literal.set(c, (next = newNode()));
        node = next;
      }
    }
    if (node.rule !== undefined) throw new NumberPlanError(`${where}: the pattern ${pattern} is already in the plan`);
    const dots = countDots(replacement);
    if (dots > wildcards.length) {
      throw new NumberPlanError(`${where}: the replacement has ${dots} "." but the pattern only ${wildcards.length}`);
    }
    node.rule = { pattern, output: compileOutput(replacement, wildcards.slice(wildcards.length - dots)) };
    this.count++;
  }
}

/** Depth-first, trying the literal branch before the "." branch: the first rule found is the most specific. */
function find(node: Node, user: string, i: number): CompiledRule | undefined {
  if (i === user.length) return node.rule;
  const c = user.charCodeAt(i);
  const literal = node.literal.get(c);
  if (literal !== undefined) {
    const rule = find(literal, user, i + 1);
    if (rule !== undefined) return rule;
  }
  return node.digit !== undefined && c >= DIGIT_0 && c <= DIGIT_9 ? find(node.digit, user, i + 1) : undefined;
}

function countDots(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === DOT) n++;
  return n;
}

/** "+1919392...." with wildcard positions [1,2,3,4] -> ["+1919392", 1, 2, 3, 4]. */
function compileOutput(replacement: string, sources: readonly number[]): (string | number)[] {
  const out: (string | number)[] = [];
  let text = '';
  let next = 0;
  for (let i = 0; i < replacement.length; i++) {
    if (replacement.charCodeAt(i) !== DOT) {
      text += replacement[i];
      continue;
    }
    if (text !== '') out.push(text);
    text = '';
    out.push(sources[next++]);
  }
  if (text !== '') out.push(text);
  return out;
}
