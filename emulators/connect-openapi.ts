/**
 * The local Connect server's contract check: every request it is sent and every reply it gives, validated with
 * ajv against Connect's own description of the usage module (sync-service/connect-api/usage-openapi.json, cut by
 * `npm run gen:connect` out of ../shared/reference/connect-openapi30.yml and drift-checked against it). A client
 * that sends what the description does not allow is refused as Connect would (400); a reply that breaks the
 * description is the emulator's own bug, so the server answers 500 with ajv's errors and tests assert none occur.
 *
 * OpenAPI 3.0.3 is not JSON Schema, so the description is rewritten for ajv once per direction
 * (https://spec.openapis.org/oas/v3.0.3#schema-object):
 * - `nullable: true` allows null (added to `type`, and to `enum` when there is one);
 * - readOnly properties "SHOULD NOT be sent as part of the request": in requests they are refused and their
 *   `required` does not apply; writeOnly ones "SHOULD NOT be sent as part of the response": the same in replies;
 * - `format: binary` (multipart file parts) is not a string format to check.
 * Where the description is silent the stricter reading is taken: query parameters it does not declare are
 * refused, and a body sent to an operation that declares none is refused. Error replies with a status it does
 * not declare (401, 404, 429, 5xx) must still have its error shape, `usage.any_400`.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import description from '../sync-service/connect-api/usage-openapi.json';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };
type Direction = 'request' | 'response';

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

/** The description rewritten for ajv, for one direction (see the header). */
function forAjv(node: Json, direction: Direction): Json {
  if (Array.isArray(node)) return node.map((n) => forAjv(n, direction));
  if (!node || typeof node !== 'object') return node;
  const out: Obj = {};
  for (const [k, v] of Object.entries(node)) out[k] = k === 'example' ? v : forAjv(v, direction);
  if (out.nullable === true) {
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    if (Array.isArray(out.enum)) out.enum = [...out.enum, null];
  }
  delete out.nullable;
  const hidden = direction === 'request' ? 'readOnly' : 'writeOnly';
  if (out.properties && typeof out.properties === 'object' && !Array.isArray(out.properties)) {
    const props = out.properties as Obj;
    const banned = Object.keys(props).filter((p) => (props[p] as Obj | null)?.[hidden] === true);
    for (const p of banned) props[p] = { not: {}, description: `${hidden}: not sent in a ${direction}` };
    if (Array.isArray(out.required)) out.required = out.required.filter((r) => !banned.includes(String(r)));
  }
  return out;
}

const pointer = (...parts: string[]) =>
  '#/' + parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

interface Operation {
  method: string;
  template: string;
  op: Obj;
  params: Obj[];
}

export interface RouteMatch {
  template: string;
  pathParams: Record<string, string>;
}

export interface ConnectContract {
  /** The description's path template a request path matches ("/usage/files/{id}"), or null. */
  match(method: string, path: string): RouteMatch | null;
  /** What is wrong with a request by the description (empty: nothing). `body` is parsed JSON, or for
   * multipart the names of its parts. */
  checkRequest(
    method: string,
    template: string,
    req: { query: URLSearchParams; contentType: string; body: unknown; hasBody: boolean },
  ): string[];
  /** What is wrong with a reply by the description (empty: nothing). */
  checkResponse(method: string, template: string, status: number, body: unknown): string[];
  /** The query parameters' values as the description types them (limit=10 → 10). */
  typedQuery(method: string, template: string, query: URLSearchParams): Record<string, unknown>;
}

function describe(errors: ErrorObject[] | null | undefined, where: string): string[] {
  return (errors ?? []).map(
    (e) =>
      `${where}${e.instancePath || ''} ${e.message ?? 'is invalid'}${
        e.params && Object.keys(e.params).length ? ` (${JSON.stringify(e.params)})` : ''
      }`,
  );
}

export function loadConnectContract(): ConnectContract {
  const doc = description as unknown as Obj;
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
  addFormats(ajv);
  ajv.addFormat('binary', true);
  ajv.addSchema(forAjv(doc, 'request') as object, 'request');
  ajv.addSchema(forAjv(doc, 'response') as object, 'response');
  const compiled = new Map<string, ValidateFunction>();
  const validator = (direction: Direction, ref: string): ValidateFunction => {
    const key = `${direction}${ref}`;
    let v = compiled.get(key);
    if (!v) {
      v = ajv.compile({ $ref: key });
      compiled.set(key, v);
    }
    return v;
  };
  const resolve = (node: Obj): Obj => {
    let n = node;
    while (typeof n.$ref === 'string') {
      const [, , kind, name] = n.$ref.split('/');
      n = ((doc.components as Obj)[kind] as Obj)[name] as Obj;
    }
    return n;
  };

  const operations: Operation[] = [];
  for (const [template, item] of Object.entries(doc.paths as Obj)) {
    const pathItem = item as Obj;
    for (const method of METHODS) {
      const op = pathItem[method] as Obj | undefined;
      if (!op) continue;
      const params = [
        ...((pathItem.parameters as Obj[] | undefined) ?? []),
        ...((op.parameters as Obj[] | undefined) ?? []),
      ].map(resolve);
      operations.push({ method: method.toUpperCase(), template, op, params });
    }
  }
  const find = (method: string, template: string): Operation => {
    const found = operations.find((o) => o.method === method && o.template === template);
    if (!found) throw new Error(`${method} ${template} is not in Connect's description`);
    return found;
  };
  // Literal segments first: /usage/records/close-records is not /usage/records/{id}.
  const routes = operations
    .map((o) => ({
      ...o,
      regex: new RegExp('^' + o.template.replace(/\{[^}]+\}/g, '([^/]+)') + '/?$'),
      names: [...o.template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]),
      literal: o.template.split('/').filter((s) => !s.startsWith('{')).length,
    }))
    .sort((a, b) => b.literal - a.literal);

  const typedValue = (schema: Obj | undefined, raw: string): unknown => {
    const type = schema?.type;
    if ((type === 'integer' || type === 'number') && /^-?\d+(\.\d+)?$/.test(raw)) return Number(raw);
    if (type === 'boolean' && (raw === 'true' || raw === 'false')) return raw === 'true';
    return raw;
  };

  return {
    match(method, path) {
      for (const r of routes) {
        if (r.method !== method) continue;
        const m = r.regex.exec(path);
        if (!m) continue;
        const pathParams: Record<string, string> = {};
        r.names.forEach((n, i) => (pathParams[n] = decodeURIComponent(m[i + 1])));
        return { template: r.template, pathParams };
      }
      return null;
    },

    typedQuery(method, template, query) {
      const { params } = find(method, template);
      const out: Record<string, unknown> = {};
      for (const [name, raw] of query) {
        const p = params.find((x) => x.in === 'query' && x.name === name);
        out[name] = typedValue(p?.schema as Obj | undefined, raw);
      }
      return out;
    },

    checkRequest(method, template, req) {
      const { op, params } = find(method, template);
      const problems: string[] = [];
      const opPointer = ['paths', template, method.toLowerCase()];
      for (const name of new Set(req.query.keys())) {
        const i = params.findIndex((x) => x.in === 'query' && x.name === name);
        if (i < 0) {
          problems.push(`query parameter "${name}" is not one ${method} ${template} takes`);
          continue;
        }
        const schema = params[i].schema as Obj;
        const v = ajv.compile(forAjv(schema, 'request') as object);
        for (const raw of req.query.getAll(name))
          if (!v(typedValue(schema, raw))) problems.push(...describe(v.errors, `query ${name}="${raw}"`));
      }
      const rb = op.requestBody ? resolve(op.requestBody as Obj) : undefined;
      if (!rb) {
        if (req.hasBody) problems.push(`${method} ${template} takes no request body, but one was sent`);
        return problems;
      }
      const content = rb.content as Obj;
      const type = Object.keys(content).find((t) => req.contentType.toLowerCase().startsWith(t));
      if (!type) {
        if (req.hasBody || rb.required)
          problems.push(
            `Content-Type "${req.contentType}" is not one ${method} ${template} takes (${Object.keys(content).join(', ')})`,
          );
        return problems;
      }
      const schemaRef = pointer(...opPointer, 'requestBody', 'content', type, 'schema');
      if (type === 'multipart/form-data') {
        // The parts are files, not JSON: check that each part is a property the description names.
        const props = Object.keys(((content[type] as Obj).schema as Obj).properties as Obj);
        for (const part of req.body as string[])
          if (!props.includes(part))
            problems.push(`multipart part "${part}" is not one ${template} takes (${props.join(', ')})`);
        return problems;
      }
      const v = validator('request', schemaRef);
      if (!v(req.body)) problems.push(...describe(v.errors, 'request body'));
      return problems;
    },

    checkResponse(method, template, status, body) {
      const { op } = find(method, template);
      const responses = op.responses as Obj;
      let ref: string;
      if (responses[String(status)]) {
        const r = resolve(responses[String(status)] as Obj);
        if (!r.content)
          return body === undefined ? [] : [`reply ${status} has a body the description does not`];
        // A response named by $ref (usage.any_400) is validated where it is defined.
        const declared = responses[String(status)] as Obj;
        const base =
          typeof declared.$ref === 'string'
            ? pointer('components', 'responses', declared.$ref.split('/')[3])
            : pointer('paths', template, method.toLowerCase(), 'responses', String(status));
        ref = `${base}/content/application~1json/schema`;
      } else if (status >= 400) {
        ref = `${pointer('components', 'responses', 'usage.any_400')}/content/application~1json/schema`;
      } else return [`reply status ${status} is not one the description declares for ${method} ${template}`];
      const v = validator('response', ref);
      return v(body) ? [] : describe(v.errors, `reply ${status}`);
    },
  };
}
