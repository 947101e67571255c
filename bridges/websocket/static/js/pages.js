/* The pages of the UI: models list, model details, predict form. (The dashboard is in dashboard.js.) */
"use strict";

(function (SP) {
  const { h, modelPath } = SP;

  function modelActions(qn, withDetails = true) {
    return h("div", { class: "actions" },
      withDetails ? h("a", { class: "button secondary", href: modelPath(qn), "data-testid": "link-details" }, "Details") : null,
      h("a", { class: "button secondary", href: modelPath(qn, "predict"), "data-testid": "link-predict" }, "Predict"),
      h("a", { class: "button", href: modelPath(qn, "dashboard"), "data-testid": "link-dashboard" }, "Live dashboard"));
  }

  async function modelsPage(view) {
    SP.setBreadcrumbs([["Models", null]]);
    const { models } = await SP.getJson("/api/models");
    const cards = models.map((m) => h("article", { class: "card model-card", "data-testid": "model-card",
      "data-model": m.qualified_name },
      h("h2", {}, m.display_name || m.qualified_name, h("span", { class: "badge" }, `v${m.version}`)),
      h("div", { class: "qn mono" }, m.qualified_name),
      h("p", { "data-testid": "model-description" }, m.description || ""),
      modelActions(m.qualified_name)));
    view.replaceChildren(
      h("h1", {}, "Models"),
      h("p", { class: "subtitle" }, "Models served from Kafka topics. Ask for a prediction or watch them live."),
      models.length ? h("div", { class: "grid", id: "models-list", "data-testid": "models-list" }, cards)
        : h("div", { class: "card empty", "data-testid": "models-empty" }, "No models in the catalog yet."));
  }

  function schemaTable(schema, testid) {
    const root = schema || {};
    const resolved = SP.SchemaForm.resolve(root, root);
    const required = new Set(resolved.required || []);
    const rows = SP.SchemaForm.orderedProperties(resolved).map(([name, property]) => {
      const s = SP.SchemaForm.resolve(property, root);
      const type = s.enum ? `one of ${s.enum.join(", ")}` : s.type || "any";
      return h("tr", { "data-testid": "schema-row", "data-field": name },
        h("td", { class: "mono" }, name, required.has(name) ? " *" : ""), h("td", {}, type),
        h("td", {}, SP.SchemaForm.describeBounds(s)), h("td", {}, s.description || s.title || ""));
    });
    return h("div", { "data-testid": testid, id: testid },
      h("table", {}, h("thead", {}, h("tr", {}, ["field", "type", "bounds", "description"].map((t) => h("th", {}, t)))),
        h("tbody", {}, rows)),
      h("details", {}, h("summary", { class: "muted" }, "JSON Schema"), h("pre", {}, JSON.stringify(schema, null, 2))));
  }

  async function modelPage(view, qn) {
    const m = await SP.getJson(`/api/models/${encodeURIComponent(qn)}/metadata`);
    SP.setBreadcrumbs([["Models", "#/"], [m.display_name || qn, null]]);
    view.replaceChildren(h("div", { class: "stack", "data-testid": "model-metadata", "data-model": qn },
      h("div", {}, h("h1", {}, m.display_name || qn, h("span", { class: "badge" }, `v${m.version}`)),
        h("p", { class: "subtitle", "data-testid": "model-description" }, m.description || "")),
      h("div", { class: "card" }, h("dl", { class: "meta" },
        h("dt", {}, "qualified name"), h("dd", { class: "mono" }, m.qualified_name),
        h("dt", {}, "version"), h("dd", { "data-testid": "model-version" }, m.version))),
      modelActions(qn, false),
      h("div", { class: "card" }, h("h2", {}, "Input"), schemaTable(m.input_schema, "input-schema")),
      h("div", { class: "card" }, h("h2", {}, "Output"), schemaTable(m.output_schema, "output-schema"))));
  }

  function renderResult(node, outcome) {
    node.dataset.state = outcome.state;
    if (outcome.state === "idle") {  // nothing sent: the previous prediction must not stay on screen
      node.replaceChildren(h("span", { class: "muted" }, outcome.note));
    } else if (outcome.state === "pending") {
      node.replaceChildren(h("span", { class: "muted" }, "Waiting for the model…"));
    } else if (outcome.state === "ok") {
      const prediction = outcome.reply.prediction;
      const values = prediction && typeof prediction === "object" ? Object.entries(prediction) : [["value", prediction]];
      node.replaceChildren(h("div", { class: "muted" }, `Prediction (${outcome.elapsed} ms)`),
        ...values.map(([key, value]) => h("div", {}, h("span", { class: "muted" }, `${key}: `),
          h("span", { class: "prediction-value", "data-testid": "prediction-value", "data-field": key }, SP.formatValue(value)))),
        h("pre", { "data-testid": "prediction-json" }, JSON.stringify(prediction, null, 2)));
    } else {
      const reply = outcome.reply;
      node.replaceChildren(h("div", {}, h("span", { class: "error-type", "data-testid": "error-type" }, reply.type),
        h("span", { class: "muted" }, ` (${outcome.elapsed} ms)`)),
        h("div", { "data-testid": "error-message" }, reply.message));
    }
  }

  async function predictPage(view, qn) {
    const m = await SP.getJson(`/api/models/${encodeURIComponent(qn)}/metadata`);
    SP.setBreadcrumbs([["Models", "#/"], [m.display_name || qn, modelPath(qn)], ["Predict", null]]);
    const fieldsNode = h("div", { id: "predict-fields" });
    const result = h("div", { class: "result", id: "predict-result", "data-testid": "predict-result",
      "data-state": "idle" }, h("span", { class: "muted" }, "Fill the form and submit to get a prediction."));
    const skip = h("input", { type: "checkbox", id: "skip-validation", "data-testid": "skip-validation" });
    const submit = h("button", { type: "submit", id: "predict-submit", "data-testid": "predict-submit" }, "Predict");
    const summary = h("div", { class: "field-error", id: "form-errors", "data-testid": "form-errors" });
    const form = h("form", { id: "predict-form", "data-testid": "predict-form", novalidate: true }, fieldsNode,
      h("label", { class: "checkbox" }, skip, "Skip browser validation (let the model judge the input)"),
      summary, h("div", { class: "actions" }, submit,
        h("button", { type: "button", class: "secondary", id: "fill-example", "data-testid": "fill-example",
          onclick: () => schemaForm.fillExample() }, "Fill example")));
    const schemaForm = SP.SchemaForm.create(m.input_schema, fieldsNode);

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const { value, errors } = schemaForm.collect(true);
      if (errors.length && !skip.checked) {
        summary.textContent = `Fix ${errors.length} field${errors.length > 1 ? "s" : ""} before submitting.`;
        renderResult(result, { state: "idle", note: "Not sent: the form has fields to fix." });
        return;
      }
      summary.textContent = "";
      submit.disabled = true;
      renderResult(result, { state: "pending" });
      const started = performance.now();
      try {
        const reply = await SP.request(qn, skip.checked ? schemaForm.raw() : value);
        const elapsed = Math.round(performance.now() - started);
        renderResult(result, { state: reply.type ? "error" : "ok", reply, elapsed });
      } finally {
        submit.disabled = false;
      }
    });

    view.replaceChildren(h("div", { class: "stack" },
      h("div", {}, h("h1", {}, `Predict with ${m.display_name || qn}`),
        h("p", { class: "subtitle" }, m.description || "")),
      h("div", { class: "grid-2" }, h("div", { class: "card" }, form),
        h("div", {}, result))));
  }

  async function dashboardPage(view, qn) {
    const m = await SP.getJson(`/api/models/${encodeURIComponent(qn)}/metadata`);
    SP.setBreadcrumbs([["Models", "#/"], [m.display_name || qn, modelPath(qn)], ["Live", null]]);
    return SP.Dashboard.create(view, SP.socket, m);
  }

  SP.pages = { modelsPage, modelPage, predictPage, dashboardPage };
})(window.SP);
