import type { Compilable, CompiledQuery, QueryResult } from 'kysely';
import type { Db } from './database';

/** Where a compiled query's parameter comes from: the call's argument at that index, or a value fixed in the query. */
type Slot = { arg: number } | { fixed: unknown };

interface Template {
  query: CompiledQuery['query'];
  queryId: CompiledQuery['queryId'];
  sql: string;
  slots: Slot[];
}

/** What `build` gets for its arguments: a marker to put where the argument goes (it becomes one SQL parameter). */
export type ArgumentMarker = <T = string>(index: number) => T;

/**
 * Kysely builds a query as a tree of frozen nodes and compiles that tree to SQL on every call: for the handful of
 * queries every attestation runs (token lookup, run and workflow reads, blob grants) this was a large share of the
 * control plane's CPU per request (bench §5). A query run through here is built and compiled once, with a marker
 * where each argument goes; each call only puts its arguments in their places and executes the same SQL text, which
 * kysely still runs on its connection (the SQLite driver's prepared statements, PostgreSQL's pool). A marker that
 * does not come out of the compiler as one whole parameter (a builder that transforms its value) is refused at once.
 */
export class CompiledQueries {
  private readonly templates = new Map<string, Template>();
  private readonly nonce = `${process.pid}:${Math.random().toString(36).slice(2)}`;

  /** Runs the query named `name` (one fixed shape per name) with `args`. */
  execute<R>(
    db: Db,
    name: string,
    build: (arg: ArgumentMarker) => Compilable<R>,
    args: readonly unknown[],
  ): Promise<QueryResult<R>> {
    // Kysely leaves out an undefined value's column; a compiled query would send NULL in its place instead.
    if (args.includes(undefined)) throw new Error(`query ${name}: an argument is undefined`);
    const template = this.templates.get(name) ?? this.compile(name, build, args.length);
    const parameters = template.slots.map((slot) => ('arg' in slot ? args[slot.arg] : slot.fixed));
    const compiled: CompiledQuery<R> = {
      query: template.query,
      queryId: template.queryId,
      sql: template.sql,
      parameters,
    };
    return db.executeQuery(compiled);
  }

  private compile<R>(name: string, build: (arg: ArgumentMarker) => Compilable<R>, count: number): Template {
    const markers = Array.from({ length: count }, (_, index) => `\u0000arg ${index} ${this.nonce}\u0000`);
    const marker = <T>(index: number): T => {
      const value = markers[index];
      if (value === undefined) throw new Error(`query ${name}: argument ${index} used but only ${count} given`);
      return value as T;
    };
    const compiled = build(marker).compile();
    const used = new Set<number>();
    const slots: Slot[] = compiled.parameters.map((value) => {
      const index = typeof value === 'string' ? markers.indexOf(value) : -1;
      if (index === -1) {
        if (typeof value === 'string' && value.includes(this.nonce)) {
          throw new Error(
            `query ${name}: an argument was transformed by the query builder; it cannot be compiled once`,
          );
        }
        return { fixed: value };
      }
      used.add(index);
      return { arg: index };
    });
    if (used.size !== count) throw new Error(`query ${name}: ${count - used.size} of its ${count} arguments unused`);
    const template = { query: compiled.query, queryId: compiled.queryId, sql: compiled.sql, slots };
    this.templates.set(name, template);
    return template;
  }
}
