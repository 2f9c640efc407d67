/**
 * A local Amazon Athena for tests and benchmarks: Node http on 127.0.0.1 speaking the AWS JSON 1.1 protocol
 * (POST /, X-Amz-Target: AmazonAthena.<Operation>) that the real @aws-sdk/client-athena talks to through its
 * `endpoint` option. Queries run in DuckDB over CUR Parquet files (athena-engine.ts; a CUR folder's tables are
 * made as AWS's Athena set-up makes them, athena-cur-table.ts) and go through Athena's
 * states QUEUED → RUNNING → SUCCEEDED | FAILED | CANCELLED. Faults are injected on demand: throttling,
 * the concurrent-query limit, 5xx, a connection reset before the request is handled, or a response lost
 * after it was handled (to exercise ClientRequestToken idempotency).
 *
 * A successful query with an output location also leaves its result file, `<OutputLocation><id>.csv`
 * (athena-result-file.ts), which the same port serves through a minimal path-style S3 GetObject
 * (athena-s3.ts) — what the source reads instead of paging through a big result.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import type { CurLayout } from '../sync-service/sources/credits-query';
import { awsCurSetup, curTable, type CurSetup, type TableDefinition } from './athena-cur-table';
import { AthenaEngine, AthenaEngineError, type AthenaColumn } from './athena-engine';
import { resultCsv } from './athena-result-file';
import { createS3Objects, type S3Objects } from './athena-s3';

export type AthenaOperation =
  'StartQueryExecution' | 'GetQueryExecution' | 'GetQueryResults' | 'StopQueryExecution';
export type AthenaFault =
  | 'ThrottlingException'
  | 'TooManyRequestsException'
  | 'InternalServerException'
  | 'ConnectionReset'
  | 'ResponseLost';
type QueryState = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

/** A CUR table over a folder inspectCurFolder reads; `layout` refuses the other layout ('auto' by default). */
export interface TableSpec {
  dir: string;
  layout?: CurLayout | 'auto';
}

export interface AthenaServerOptions {
  /** "database.table" → the CUR folder it reads. */
  tables?: Record<string, TableSpec>;
  /**
   * A CUR folder as AWS delivers it (`npm run servers -- --cur DIR`): its tables are created, and named, as AWS's
   * own Athena set-up creates them for its layout (athena-cur-table.ts).
   */
  cur?: string;
  port?: number;
  /** Workgroups that exist; default { primary: { managedResults: true } } (no output location needed). */
  workgroups?: Record<string, { outputLocation?: string; managedResults?: boolean }>;
}

export interface RecordedRequest {
  operation: string;
  body: Record<string, unknown>;
}

export interface ExecutionView {
  id: string;
  state: QueryState;
  query: string;
  executionParameters: string[];
  clientRequestToken: string;
  bytesScanned: number;
  reason?: string;
}

export interface AthenaServerStats {
  /** Requests received per operation (including ones answered with an injected fault). */
  requests: Record<string, number>;
  executionsStarted: number;
  pagesServed: number;
}

export interface AthenaServer {
  endpoint: string;
  /** What `cur` set up: the database and table to point credit-desk at. */
  cur?: CurSetup;
  stats: AthenaServerStats;
  /** Every request body in arrival order (bodies carry no credentials: those are in signed headers). */
  requests: RecordedRequest[];
  executions(): ExecutionView[];
  /** The result files (S3 objects) queries wrote, and GetObject faults: AccessDenied, resets, cut-off bodies. */
  s3: Pick<S3Objects, 'has' | 'denyGetObject' | 'failNextGetObject'>;
  /** The next `times` requests of `operation` fail with `fault` (queued after earlier faults). */
  failNext(operation: AthenaOperation, fault: AthenaFault, times?: number): void;
  /** Every query stays RUNNING at least this long after DuckDB has answered. */
  setQueryDelay(ms: number): void;
  /** The next query, once seen RUNNING, falls back to QUEUED `times` times before it may finish. */
  bounceNextQuery(times?: number): void;
  close(): Promise<void>;
}

interface Execution {
  id: string;
  token: string;
  fingerprint: string;
  query: string;
  parameters: string[];
  workgroup: string;
  context: { Catalog: string; Database: string };
  outputLocation: string;
  state: QueryState;
  submitted: number;
  started?: number;
  completed?: number;
  reason?: string;
  error?: AthenaEngineError;
  result?: { columns: AthenaColumn[]; rows: (string | null)[][] };
  bytesScanned: number;
  outcome?: () => void;
  bouncesLeft: number;
  requeued: boolean;
  reportedRunning: boolean;
  cancel: AbortController;
  interrupt?: () => void;
}

class ApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

const MAX_QUERY_BYTES = 262_144;

export async function startAthenaServer(options: AthenaServerOptions): Promise<AthenaServer> {
  const cur = options.cur === undefined ? undefined : awsCurSetup(options.cur);
  const tables: Record<string, TableDefinition> = { ...cur?.tables };
  for (const [name, spec] of Object.entries(options.tables ?? {}))
    tables[name] = curTable(spec.dir, spec.layout);
  const engine = await AthenaEngine.create(tables);
  const workgroups = options.workgroups ?? { primary: { managedResults: true } };
  const executions = new Map<string, Execution>();
  const byToken = new Map<string, Execution>();
  const faults = new Map<string, AthenaFault[]>();
  const stats: AthenaServerStats = { requests: {}, executionsStarted: 0, pagesServed: 0 };
  const requests: RecordedRequest[] = [];
  let queryDelayMs = 0;
  let pendingBounces = 0;
  const inFlight = new Set<Promise<void>>();
  const objects = createS3Objects(stats);

  const complete = (e: Execution) => {
    if (e.state === 'RUNNING' && e.outcome && e.bouncesLeft === 0 && !e.requeued) e.outcome();
  };

  const execute = async (e: Execution) => {
    await delay(0);
    if (e.state !== 'QUEUED') return;
    e.state = 'RUNNING';
    e.started = Date.now();
    let finish: () => void;
    try {
      const result = await engine.run(
        e.query,
        e.parameters,
        { catalog: e.context.Catalog, database: e.context.Database },
        (interrupt) => {
          e.interrupt = interrupt;
        },
      );
      if (queryDelayMs > 0) await delay(queryDelayMs, undefined, { signal: e.cancel.signal });
      finish = () => {
        e.state = 'SUCCEEDED';
        e.result = { columns: result.columns, rows: result.rows };
        e.bytesScanned = result.bytesScanned;
        e.completed = Date.now();
        // Written before the query reports SUCCEEDED, as Athena's file is there once the state says so.
        const file = /^s3:\/\/([^/]+)\/(.+)$/.exec(e.outputLocation);
        if (file) objects.put(file[1], file[2], resultCsv(result.columns, result.rows));
      };
    } catch (err) {
      const error =
        err instanceof AthenaEngineError
          ? err
          : new AthenaEngineError('GENERIC_INTERNAL_ERROR', String(err), 1);
      finish = () => {
        e.state = 'FAILED';
        e.error = error;
        e.reason = error.message;
        e.completed = Date.now();
      };
    }
    if (e.cancel.signal.aborted) return; // stopped: the outcome is dropped
    e.outcome = finish;
    complete(e);
  };

  const handlers: Record<AthenaOperation, (body: Record<string, unknown>) => unknown> = {
    StartQueryExecution(body) {
      const query = body.QueryString;
      if (typeof query !== 'string' || query.length === 0)
        throw new ApiError('InvalidRequestException', 'QueryString is required.');
      if (Buffer.byteLength(query) > MAX_QUERY_BYTES) {
        throw new ApiError('InvalidRequestException', `QueryString is longer than ${MAX_QUERY_BYTES} bytes.`);
      }
      const token = body.ClientRequestToken ?? randomUUID();
      if (typeof token !== 'string' || token.length < 32 || token.length > 128) {
        throw new ApiError(
          'InvalidRequestException',
          'ClientRequestToken must be 32 to 128 characters long.',
        );
      }
      const workgroup = typeof body.WorkGroup === 'string' ? body.WorkGroup : 'primary';
      const wg = workgroups[workgroup];
      if (!wg) throw new ApiError('InvalidRequestException', `WorkGroup ${workgroup} is not found.`);
      const params = body.ExecutionParameters;
      if (params !== undefined) {
        if (
          !Array.isArray(params) ||
          params.length === 0 ||
          params.some((p) => typeof p !== 'string' || p.length < 1 || p.length > 1024)
        ) {
          throw new ApiError(
            'InvalidRequestException',
            'ExecutionParameters must hold 1 or more strings of 1 to 1024 characters.',
          );
        }
      }
      const resultConfig = (body.ResultConfiguration ?? {}) as { OutputLocation?: string };
      const outputBase = resultConfig.OutputLocation ?? wg.outputLocation;
      if (!outputBase && !wg.managedResults) {
        throw new ApiError(
          'InvalidRequestException',
          'No output location provided. An output location is required either through the Workgroup result configuration setting or through the API input.',
        );
      }
      const ctx = (body.QueryExecutionContext ?? {}) as { Catalog?: string; Database?: string };
      const fingerprint = JSON.stringify([query, params ?? [], workgroup, ctx, resultConfig]);
      const previous = byToken.get(token);
      if (previous) {
        if (previous.fingerprint !== fingerprint) {
          throw new ApiError('InvalidRequestException', 'Idempotent parameters do not match', 400, {
            AthenaErrorCode: 'INVALID_INPUT',
          });
        }
        return { QueryExecutionId: previous.id };
      }
      const id = randomUUID();
      const e: Execution = {
        id,
        token,
        fingerprint,
        query,
        parameters: (params as string[] | undefined) ?? [],
        workgroup,
        context: { Catalog: ctx.Catalog ?? 'AwsDataCatalog', Database: ctx.Database ?? 'default' },
        outputLocation: outputBase ? `${outputBase.replace(/\/?$/, '/')}${id}.csv` : '',
        state: 'QUEUED',
        submitted: Date.now(),
        bytesScanned: 0,
        bouncesLeft: pendingBounces,
        requeued: false,
        reportedRunning: false,
        cancel: new AbortController(),
      };
      pendingBounces = 0;
      executions.set(id, e);
      byToken.set(token, e);
      stats.executionsStarted++;
      const run = execute(e).finally(() => inFlight.delete(run));
      inFlight.add(run);
      return { QueryExecutionId: id };
    },

    GetQueryExecution(body) {
      const e = find(body.QueryExecutionId);
      complete(e);
      if (e.state === 'RUNNING' && e.bouncesLeft > 0 && e.reportedRunning) {
        e.state = 'QUEUED';
        e.bouncesLeft--;
        e.requeued = true;
      } else if (e.state === 'QUEUED' && e.requeued) {
        e.state = 'RUNNING';
        e.requeued = false;
      }
      if (e.state === 'RUNNING') e.reportedRunning = true;
      const end = e.completed ?? Date.now();
      return {
        QueryExecution: {
          QueryExecutionId: e.id,
          Query: e.query,
          StatementType: 'DML',
          ...(e.outputLocation ? { ResultConfiguration: { OutputLocation: e.outputLocation } } : {}),
          QueryExecutionContext: e.context,
          ExecutionParameters: e.parameters.length > 0 ? e.parameters : undefined,
          Status: {
            State: e.state,
            ...(e.reason ? { StateChangeReason: e.reason } : {}),
            SubmissionDateTime: e.submitted / 1000,
            ...(e.completed ? { CompletionDateTime: e.completed / 1000 } : {}),
            ...(e.error
              ? {
                  AthenaError: {
                    ErrorCategory: e.error.category,
                    ErrorType: e.error.category === 2 ? 1001 : 401,
                    Retryable: false,
                    ErrorMessage: e.error.message,
                  },
                }
              : {}),
          },
          Statistics: {
            EngineExecutionTimeInMillis: e.started ? end - e.started : 0,
            DataScannedInBytes: e.bytesScanned,
            TotalExecutionTimeInMillis: end - e.submitted,
            QueryQueueTimeInMillis: (e.started ?? end) - e.submitted,
          },
          WorkGroup: e.workgroup,
          EngineVersion: { SelectedEngineVersion: 'AUTO', EffectiveEngineVersion: 'Athena engine version 3' },
        },
      };
    },

    GetQueryResults(body) {
      const e = find(body.QueryExecutionId);
      complete(e);
      if (e.state !== 'SUCCEEDED' || !e.result) {
        throw new ApiError(
          'InvalidRequestException',
          `Query has not yet finished. Current state: ${e.state}`,
          400,
          {
            AthenaErrorCode: 'INVALID_INPUT',
          },
        );
      }
      const max = body.MaxResults ?? 1000;
      if (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > 1000) {
        throw new ApiError('InvalidRequestException', 'MaxResults must be between 1 and 1000.');
      }
      let offset = 0;
      if (body.NextToken !== undefined) {
        const [id, at] = Buffer.from(String(body.NextToken), 'base64url').toString().split(':');
        if (id !== e.id || !/^\d+$/.test(at ?? ''))
          throw new ApiError('InvalidRequestException', 'NextToken is not valid for this query.');
        offset = Number(at);
      }
      const { columns, rows } = e.result;
      // The header row is row 0 of the result: it takes a place on the first page and never comes again.
      const all =
        offset === 0
          ? [columns.map((c) => c.Name), ...rows.slice(0, max - 1)]
          : rows.slice(offset - 1, offset - 1 + max);
      const next = offset + all.length;
      stats.pagesServed++;
      return {
        ResultSet: {
          Rows: all.map((r) => ({ Data: r.map((v) => (v === null ? {} : { VarCharValue: v })) })),
          ResultSetMetadata: { ColumnInfo: columns },
        },
        ...(next < rows.length + 1
          ? { NextToken: Buffer.from(`${e.id}:${next}`).toString('base64url') }
          : {}),
        UpdateCount: 0,
      };
    },

    StopQueryExecution(body) {
      const e = find(body.QueryExecutionId);
      if (e.state === 'QUEUED' || e.state === 'RUNNING') {
        e.state = 'CANCELLED';
        e.reason = 'Query cancelled by user';
        e.completed = Date.now();
        e.cancel.abort();
        e.interrupt?.();
      }
      return {};
    },
  };

  function find(id: unknown): Execution {
    const e = typeof id === 'string' ? executions.get(id) : undefined;
    if (!e)
      throw new ApiError('InvalidRequestException', `QueryExecution ${String(id)} was not found`, 400, {
        AthenaErrorCode: 'INVALID_INPUT',
      });
    return e;
  }

  const send = (res: ServerResponse, status: number, payload: unknown) => {
    res.writeHead(status, { 'Content-Type': 'application/x-amz-json-1.1', 'x-amzn-RequestId': randomUUID() });
    res.end(JSON.stringify(payload));
  };

  const faultError = (fault: AthenaFault): ApiError => {
    if (fault === 'ThrottlingException') return new ApiError('ThrottlingException', 'Rate exceeded');
    if (fault === 'TooManyRequestsException') {
      return new ApiError(
        'TooManyRequestsException',
        'You have exceeded the limit for the number of queries you can run concurrently. Reduce the number of concurrent queries submitted by this account. Contact customer support to request a concurrent query limit increase.',
        400,
        { Reason: 'CONCURRENT_QUERY_LIMIT_EXCEEDED' },
      );
    }
    return new ApiError('InternalServerException', 'Internal error', 500);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    // Athena's API is POST only; a GET or HEAD is a path-style S3 request for a result file.
    if (objects.handle(req, res)) return;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.startsWith('AmazonAthena.') ? target.slice('AmazonAthena.'.length) : '';
    stats.requests[operation] = (stats.requests[operation] ?? 0) + 1;
    if (req.method !== 'POST' || !(operation in handlers)) {
      return send(res, 400, { __type: 'UnknownOperationException', message: `Unknown operation ${target}` });
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString() || '{}') as Record<string, unknown>;
    } catch {
      return send(res, 400, {
        __type: 'SerializationException',
        Message: 'The request body is not valid JSON.',
      });
    }
    requests.push({ operation, body });
    const fault = faults.get(operation)?.shift();
    if (fault === 'ConnectionReset') return req.socket.destroy();
    try {
      // An error fault refuses the request before it is handled; a lost response loses it after.
      if (fault && fault !== 'ResponseLost') throw faultError(fault);
      const payload = handlers[operation as AthenaOperation](body);
      if (fault === 'ResponseLost') return req.socket.destroy();
      send(res, 200, payload);
    } catch (err) {
      const e = err instanceof ApiError ? err : new ApiError('InternalServerException', String(err), 500);
      // Athena's JSON errors carry "Message"; ThrottlingException (from the front door) carries "message".
      const key = e.type === 'ThrottlingException' ? 'message' : 'Message';
      send(res, e.status, { __type: e.type, [key]: e.message, ...e.extra });
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, { __type: 'InternalServerException', Message: String(err) });
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    ...(cur ? { cur } : {}),
    stats,
    requests,
    s3: objects,
    executions: () =>
      [...executions.values()].map((e) => ({
        id: e.id,
        state: e.state,
        query: e.query,
        executionParameters: e.parameters,
        clientRequestToken: e.token,
        bytesScanned: e.bytesScanned,
        ...(e.reason ? { reason: e.reason } : {}),
      })),
    failNext(operation, fault, times = 1) {
      const queue = faults.get(operation) ?? [];
      for (let i = 0; i < times; i++) queue.push(fault);
      faults.set(operation, queue);
    },
    setQueryDelay(ms) {
      queryDelayMs = ms;
    },
    bounceNextQuery(times = 1) {
      pendingBounces = times;
    },
    async close() {
      for (const e of executions.values()) {
        e.cancel.abort();
        e.interrupt?.();
      }
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      // Queries still inside DuckDB must return before the database goes away.
      await Promise.allSettled([...inFlight]);
      engine.close();
    },
  };
}
