/**
 * A stand-in for Apps Script's client-side google.script.run, injected into the served sidebar. Each call
 * POSTs {fn, args} as JSON to the bridge server and calls the success or failure handler asynchronously,
 * as Apps Script does. Like Apps Script it refuses non-JSON arguments (a Date, a function) at the call.
 */

/** Browser code (plain ES2019, no template literals: HtmlService mangles "//" inside them). */
const SHIM_SOURCE = String.raw`
(function () {
  function checkArg(value, path) {
    if (value === null) return;
    var t = typeof value;
    if (t === 'string' || t === 'boolean') return;
    if (t === 'number') { if (!isFinite(value)) throw new TypeError('Failed due to illegal value in property: ' + path); return; }
    if (t === 'function' || t === 'undefined' || t === 'symbol' || t === 'bigint' || value instanceof Date) {
      throw new TypeError('Failed due to illegal value in property: ' + path);
    }
    Object.keys(value).forEach(function (k) { checkArg(value[k], path + '.' + k); });
  }
  function runner(onSuccess, onFailure, userObject) {
    var base = {
      withSuccessHandler: function (f) { return runner(f, onFailure, userObject); },
      withFailureHandler: function (f) { return runner(onSuccess, f, userObject); },
      withUserObject: function (o) { return runner(onSuccess, onFailure, o); }
    };
    return new Proxy(base, {
      get: function (target, name) {
        if (name in target) return target[name];
        if (typeof name !== 'string') return undefined;
        return function () {
          var args = Array.prototype.slice.call(arguments);
          args.forEach(function (a, i) { checkArg(a, String(i)); });
          window.__scriptRunCalls = (window.__scriptRunCalls || []).concat([{ fn: name, args: args }]);
          fetch('/run', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ fn: name, args: args }) })
            .then(function (r) { return r.json(); })
            .then(function (reply) {
              if (reply.ok) { if (onSuccess) onSuccess(reply.value, userObject); }
              else if (onFailure) onFailure(new Error(reply.message), userObject);
            }, function (err) { if (onFailure) onFailure(new Error('NetworkError: ' + err.message), userObject); });
        };
      }
    });
  }
  window.google = { script: { run: runner(null, null, undefined), host: { close: function () {} } } };
})();
`;

/** The sidebar HTML with the shim as the first script in <head>, before the bundled sidebar script runs. */
export function injectScriptRunShim(html: string): string {
  const tag = `<script>${SHIM_SOURCE}</script>`;
  if (!/<head[^>]*>/i.test(html))
    throw new Error('The built sidebar has no <head>: cannot inject google.script.run.');
  return html.replace(/<head[^>]*>/i, (head) => `${head}\n${tag}`);
}
