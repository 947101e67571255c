/* Entry point: the shared Socket.IO connection, request/response matching, and the hash router. */
"use strict";

(function (SP) {
  const REQUEST_TIMEOUT_MS = 30000;
  // auth is read at each (re)connection attempt, so a token entered later is the one sent
  const socket = io({ transports: ["websocket", "polling"], auth: (send) => send({ token: SP.token.get() }) });
  const pending = new Map();
  SP.socket = socket;

  const status = document.getElementById("connection-status");
  function showConnection(connected) {
    status.textContent = connected ? "connected" : "disconnected";
    status.className = `status ${connected ? "status-on" : "status-off"}`;
    document.body.dataset.connected = String(connected);
  }
  socket.on("connect", () => showConnection(true));
  socket.on("disconnect", () => showConnection(false));
  socket.on("connect_error", (error) => {
    if (!/unauthorized/i.test(error.message)) return; // otherwise Socket.IO retries by itself
    status.textContent = "token required";
    const view = document.getElementById("view");
    if (!view.querySelector("[data-testid=token-form]")) view.replaceChildren(SP.token.form(SP.token.refused().message));
  });

  function settle(reply) {
    const entry = reply && pending.get(reply.correlation_id);
    if (!entry) return;
    pending.delete(reply.correlation_id);
    clearTimeout(entry.timer);
    entry.resolve(reply);
  }
  socket.on("prediction_response", settle);
  socket.on("prediction_error", settle);

  /** Send a prediction_request; resolves with the prediction_response or prediction_error payload. */
  SP.request = function request(qn, inputData) {
    const correlationId = SP.newId();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        pending.delete(correlationId);
        resolve({ model_qualified_name: qn, type: "TIMEOUT", message: "No answer from the bridge.",
          correlation_id: correlationId });
      }, REQUEST_TIMEOUT_MS);
      pending.set(correlationId, { resolve, timer });
      socket.emit("prediction_request", { model_qualified_name: qn, input_data: inputData,
        correlation_id: correlationId });
    });
  };

  const routes = [
    [/^#?\/?$/, (view) => SP.pages.modelsPage(view)],
    [/^#\/models\/([^/]+)\/predict$/, (view, qn) => SP.pages.predictPage(view, qn)],
    [/^#\/models\/([^/]+)\/dashboard$/, (view, qn) => SP.pages.dashboardPage(view, qn)],
    [/^#\/models\/([^/]+)$/, (view, qn) => SP.pages.modelPage(view, qn)],
  ];
  let current = null;
  let generation = 0;

  async function route() {
    const view = document.getElementById("view");
    if (current && current.destroy) current.destroy();
    current = null;
    const mine = ++generation;
    const hash = window.location.hash || "#/";
    const match = routes.map(([pattern, render]) => [hash.match(pattern), render]).find(([m]) => m);
    view.replaceChildren(SP.h("div", { class: "empty" }, "Loading…"));
    document.body.dataset.page = "loading";
    try {
      if (!match) throw new Error(`No page at ${hash}.`);
      const [groups, render] = match;
      const page = await render(view, ...groups.slice(1).map(decodeURIComponent));
      if (mine !== generation) { if (page && page.destroy) page.destroy(); return; }
      current = page || null;
      document.body.dataset.page = hash.split("/")[3] || (groups.length > 1 ? "model" : "models");
    } catch (error) {
      if (mine !== generation) return;
      if (error.unauthorized) {
        view.replaceChildren(SP.token.form(error.message));
        document.body.dataset.page = "token";
        return;
      }
      view.replaceChildren(SP.h("div", { class: "card result", "data-state": "error", "data-testid": "page-error" },
        String(error.message || error)));
      document.body.dataset.page = "error";
    }
  }

  window.addEventListener("hashchange", route);
  route();
})(window.SP);
