/* Live dashboard of one model: predictions per second, distribution of predicted values, latest rows. */
"use strict";

(function (SP) {
  const { h } = SP;
  const WINDOW_SECONDS = 30;
  const MAX_ROWS = 25;
  const MAX_VALUES = 2000;
  const BINS = 12;
  const PALETTE = ["#2563eb", "#16a34a", "#f59e0b", "#dc2626", "#7c3aed", "#0891b2", "#db2777", "#65a30d"];

  /** Which output field the distribution chart shows, and whether it is categorical or numeric. */
  function targetOf(outputSchema) {
    const root = outputSchema || {};
    const resolved = SP.SchemaForm.resolve(root, root);
    const entries = SP.SchemaForm.orderedProperties(resolved);
    if (!entries.length) return { field: null, kind: "category", categories: [] };
    const [field, schema] = entries[0];
    const s = SP.SchemaForm.resolve(schema, root);
    const numeric = !s.enum && (s.type === "number" || s.type === "integer");
    return { field, title: s.title || SP.SchemaForm.humanize(field), kind: numeric ? "number" : "category",
      categories: (s.enum || []).map(String) };
  }

  function valueOf(target, prediction) {
    if (target.field && prediction && typeof prediction === "object" && target.field in prediction)
      return prediction[target.field];
    return typeof prediction === "object" ? JSON.stringify(prediction) : prediction;
  }

  function histogram(values) {
    if (!values.length) return { labels: [], counts: [] };
    let low = Math.min(...values);
    let high = Math.max(...values);
    if (low === high) { low -= 0.5; high += 0.5; }
    const width = (high - low) / BINS;
    const counts = new Array(BINS).fill(0);
    for (const value of values) counts[Math.min(BINS - 1, Math.floor((value - low) / width))] += 1;
    const fmt = (x) => (Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(2));
    const labels = counts.map((_, i) => `${fmt(low + i * width)}–${fmt(low + (i + 1) * width)}`);
    return { labels, counts };
  }

  function makeCharts(rateCanvas, distributionCanvas, target) {
    const common = { responsive: true, maintainAspectRatio: false, animation: false,
      plugins: { legend: { display: false } } };
    const rate = new Chart(rateCanvas, {
      type: "line",
      data: { labels: Array.from({ length: WINDOW_SECONDS }, (_, i) => `${i - WINDOW_SECONDS + 1}s`),
        datasets: [{ data: new Array(WINDOW_SECONDS).fill(0), borderColor: PALETTE[0], cubicInterpolationMode: "monotone",
          backgroundColor: "rgba(37, 99, 235, 0.12)", fill: true, pointRadius: 0 }] },
      options: { ...common, scales: { y: { beginAtZero: true, title: { display: true, text: "predictions / s" } },
        x: { ticks: { maxTicksLimit: 7 } } } },
    });
    const distribution = new Chart(distributionCanvas, {
      type: "bar",
      data: { labels: [...target.categories], datasets: [{ data: target.categories.map(() => 0),
        backgroundColor: target.kind === "number" ? PALETTE[0] : PALETTE }] },
      options: { ...common, scales: { y: { beginAtZero: true, ticks: { precision: 0 },
        title: { display: true, text: "count" } } } },
    });
    return { rate, distribution };
  }

  /** What identifies an input: its correlation id, else its record key, else "none". */
  function identify(event) {
    if (event.correlation_id) return event.correlation_id;
    if (event.key !== null && event.key !== undefined && event.key !== "") return `key ${event.key}`;
    return "none";
  }

  /** Build the dashboard into `container`; `socket` is the shared Socket.IO connection. */
  function create(container, socket, metadata) {
    const qn = metadata.qualified_name;
    const target = targetOf(metadata.output_schema);
    const state = { total: 0, buckets: new Array(WINDOW_SECONDS).fill(0), current: 0, counts: new Map(),
      values: [], rows: [], dirty: false, subscribed: false };
    target.categories.forEach((category) => state.counts.set(category, 0));

    const totalNode = h("div", { class: "value", id: "dashboard-total", "data-testid": "dashboard-total" }, "0");
    const rateNode = h("div", { class: "value", id: "dashboard-rate", "data-testid": "dashboard-rate" }, "0");
    const lastNode = h("div", { class: "value", id: "dashboard-last", "data-testid": "dashboard-last" }, "—");
    const subNode = h("span", { class: "status status-off", id: "subscription-status",
      "data-testid": "subscription-status" }, "subscribing…");
    const tbody = h("tbody", { id: "predictions-tbody", "data-testid": "predictions-tbody" },
      h("tr", { class: "placeholder" }, h("td", { colspan: 3, class: "empty" }, "Waiting for predictions…")));
    const rateCanvas = h("canvas", { id: "rate-chart", "data-testid": "rate-chart" });
    const distributionCanvas = h("canvas", { id: "distribution-chart", "data-testid": "distribution-chart" });
    const distributionTitle = target.kind === "number" ? `Histogram of ${target.title}` : `Predicted ${target.title || "values"}`;

    container.replaceChildren(h("div", { class: "stack", "data-testid": "dashboard", "data-model": qn },
      h("div", {}, h("h1", {}, `${metadata.display_name || qn} `, h("span", { class: "badge" }, "live"), " ", subNode),
        h("p", { class: "subtitle" }, "Every prediction this model makes, from any producer, as it happens.")),
      h("div", { class: "card stats" },
        h("div", { class: "stat" }, totalNode, h("div", { class: "label" }, "predictions received")),
        h("div", { class: "stat" }, rateNode, h("div", { class: "label" }, "per second (last 5 s)")),
        h("div", { class: "stat" }, lastNode, h("div", { class: "label" }, "latest prediction"))),
      h("div", { class: "grid-2" },
        h("div", { class: "card" }, h("h2", {}, "Predictions per second"), h("div", { class: "chart-box" }, rateCanvas)),
        h("div", { class: "card" }, h("h2", { id: "distribution-title" }, distributionTitle),
          h("div", { class: "chart-box" }, distributionCanvas))),
      h("div", { class: "card" }, h("h2", {}, "Latest predictions"),
        h("table", { id: "predictions-table", "data-testid": "predictions-table" },
          h("thead", {}, h("tr", {}, h("th", {}, "time"), h("th", {}, "correlation id or key"), h("th", {}, "prediction"))),
          tbody))));

    const charts = makeCharts(rateCanvas, distributionCanvas, target);

    function onPrediction(event) {
      if (!event || event.model_qualified_name !== qn) return;
      state.total += 1;
      state.current += 1;
      const value = valueOf(target, event.prediction);
      if (target.kind === "number" && typeof value === "number") {
        state.values.push(value);
        if (state.values.length > MAX_VALUES) state.values.shift();
      } else {
        state.counts.set(String(value), (state.counts.get(String(value)) || 0) + 1);
      }
      state.rows.unshift({ time: event.timestamp, id: identify(event), value, prediction: event.prediction });
      if (state.rows.length > MAX_ROWS) state.rows.length = MAX_ROWS;
      state.dirty = true;
    }

    function renderRows() {
      tbody.replaceChildren(...state.rows.map((row, index) => h("tr", { "data-testid": "prediction-row",
        class: index === 0 ? "flash" : null },
        h("td", { class: "mono" }, SP.formatTime(row.time)),
        h("td", { class: "mono", "data-testid": "prediction-id" }, row.id),
        h("td", { class: "mono" }, SP.compactJson(row.prediction)))));
    }

    function render() {
      if (!state.dirty) return;
      state.dirty = false;
      totalNode.textContent = String(state.total);
      lastNode.textContent = state.rows.length ? SP.formatValue(state.rows[0].value) : "—";
      const data = charts.distribution.data;
      if (target.kind === "number") {
        const { labels, counts } = histogram(state.values);
        data.labels = labels;
        data.datasets[0].data = counts;
      } else {
        data.labels = [...state.counts.keys()];
        data.datasets[0].data = [...state.counts.values()];
      }
      charts.distribution.update("none");
      renderRows();
    }

    function tick() {
      state.buckets.push(state.current);
      state.buckets.shift();
      state.current = 0;
      const recent = state.buckets.slice(-5);
      rateNode.textContent = (recent.reduce((a, b) => a + b, 0) / recent.length).toFixed(1);
      charts.rate.data.datasets[0].data = [...state.buckets];
      charts.rate.update("none");
    }

    function subscribe() {
      socket.emit("subscribe", { model_qualified_name: qn }, (ack) => {
        state.subscribed = Boolean(ack && ack.ok);
        subNode.textContent = state.subscribed ? "subscribed" : `not subscribed: ${(ack && ack.message) || "?"}`;
        subNode.className = `status ${state.subscribed ? "status-on" : "status-off"}`;
      });
    }

    socket.on("prediction", onPrediction);
    socket.on("connect", subscribe);
    if (socket.connected) subscribe();
    const renderTimer = setInterval(render, 200);
    const tickTimer = setInterval(tick, 1000);

    return {
      destroy() {
        clearInterval(renderTimer);
        clearInterval(tickTimer);
        socket.off("prediction", onPrediction);
        socket.off("connect", subscribe);
        if (socket.connected) socket.emit("unsubscribe", { model_qualified_name: qn });
        charts.rate.destroy();
        charts.distribution.destroy();
      },
    };
  }

  SP.Dashboard = { create, targetOf, histogram };
})(window.SP);
