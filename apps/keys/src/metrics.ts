import { Router } from 'express';
import type {
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from 'kysely';

/**
 * A few counters of the keys service in Prometheus' text format on `GET /metrics` (the service port is
 * not public). `db_queries` counts every SQL statement, which is how tests prove that floods of unknown
 * keys do not reach Postgres.
 */
export class KeysMetrics {
  dbQueries = 0;
  fillsFound = 0;
  fillsMissing = 0;

  render(): string {
    return [
      '# HELP llmgw_keys_db_queries_total SQL statements sent to Postgres.',
      '# TYPE llmgw_keys_db_queries_total counter',
      `llmgw_keys_db_queries_total ${this.dbQueries}`,
      '# HELP llmgw_keys_auth_fills_total Auth records built for a gateway cache miss.',
      '# TYPE llmgw_keys_auth_fills_total counter',
      `llmgw_keys_auth_fills_total{result="found"} ${this.fillsFound}`,
      `llmgw_keys_auth_fills_total{result="missing"} ${this.fillsMissing}`,
      '',
    ].join('\n');
  }

  router(): Router {
    const router = Router();
    router.get('/metrics', (_req, res) => {
      res.type('text/plain; version=0.0.4').send(this.render());
    });
    return router;
  }
}

/** Counts every query Kysely compiles (one per execution). */
export class QueryCounter implements KyselyPlugin {
  constructor(private readonly onQuery: () => void) {}

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    this.onQuery();
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}
