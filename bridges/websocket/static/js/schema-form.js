/* A form generated from a JSON Schema (as pydantic writes it): labels from titles and descriptions,
   min/max bounds, enums as selects, nested objects as fieldsets, inline validation messages. */
"use strict";

(function (SP) {
  const { h } = SP;

  /** Follow local $refs and unwrap single allOf / nullable anyOf, so each field has one plain schema. */
  function resolve(schema, root, depth = 0) {
    if (!schema || depth > 20) return schema || {};
    if (schema.$ref && schema.$ref.startsWith("#/")) {
      const target = schema.$ref.slice(2).split("/").reduce((node, key) => (node ? node[key] : undefined), root);
      const { $ref, ...rest } = schema;
      return resolve({ ...(target || {}), ...rest }, root, depth + 1);
    }
    if (Array.isArray(schema.allOf) && schema.allOf.length === 1) {
      const { allOf, ...rest } = schema;
      return resolve({ ...resolve(allOf[0], root, depth + 1), ...rest }, root, depth + 1);
    }
    const options = schema.anyOf || schema.oneOf;
    if (Array.isArray(options)) {
      const real = options.filter((option) => option.type !== "null");
      if (real.length === 1) {
        const { anyOf, oneOf, ...rest } = schema;
        return { ...resolve(real[0], root, depth + 1), ...rest, nullable: real.length < options.length };
      }
    }
    return schema;
  }

  function humanize(name) {
    return name.replace(/[_-]+/g, " ").replace(/\b\w/g, (c) => c.toUpperCase());
  }

  /** Properties in declaration order: the catalog stores schemas key-sorted, so `required` (which keeps
      the model's field order) leads, and the optional ones follow. */
  function orderedProperties(s) {
    const entries = Object.entries(s.properties || {});
    const rank = new Map((s.required || []).map((name, index) => [name, index]));
    const position = (name) => (rank.has(name) ? rank.get(name) : rank.size);
    return entries
      .map((entry, index) => [entry, index])
      .sort(([[a], i], [[b], j]) => position(a) - position(b) || i - j)
      .map(([entry]) => entry);
  }

  function safeId(path) {
    return path.join("__").replace(/[^A-Za-z0-9_-]/g, "_");
  }

  function describeBounds(s) {
    const parts = [];
    if (s.minimum !== undefined) parts.push(`min ${s.minimum}`);
    if (s.exclusiveMinimum !== undefined) parts.push(`> ${s.exclusiveMinimum}`);
    if (s.maximum !== undefined) parts.push(`max ${s.maximum}`);
    if (s.exclusiveMaximum !== undefined) parts.push(`< ${s.exclusiveMaximum}`);
    if (s.minLength !== undefined) parts.push(`at least ${s.minLength} characters`);
    if (s.maxLength !== undefined) parts.push(`at most ${s.maxLength} characters`);
    return parts.join(", ");
  }

  /** Check one raw value against its schema; returns [value, message-or-null]. */
  function check(schema, raw, required) {
    const empty = raw === "" || raw === undefined || raw === null;
    if (empty) return [undefined, required ? "This field is required." : null];
    if (schema.enum) {
      const match = schema.enum.find((option) => String(option) === String(raw));
      return match === undefined ? [raw, `Must be one of: ${schema.enum.join(", ")}.`] : [match, null];
    }
    if (schema.type === "number" || schema.type === "integer") return checkNumber(schema, raw);
    if (schema.type === "boolean") return [Boolean(raw), null];
    if (schema.type === "string") return checkString(schema, String(raw));
    try {
      return [JSON.parse(raw), null];
    } catch (error) {
      return [raw, "Must be valid JSON."];
    }
  }

  function checkNumber(s, raw) {
    const value = Number(raw);
    if (String(raw).trim() === "" || !Number.isFinite(value)) return [raw, "Must be a number."];
    if (s.type === "integer" && !Number.isInteger(value)) return [value, "Must be a whole number."];
    if (s.minimum !== undefined && value < s.minimum) return [value, `Must be at least ${s.minimum}.`];
    if (s.maximum !== undefined && value > s.maximum) return [value, `Must be at most ${s.maximum}.`];
    if (s.exclusiveMinimum !== undefined && value <= s.exclusiveMinimum)
      return [value, `Must be greater than ${s.exclusiveMinimum}.`];
    if (s.exclusiveMaximum !== undefined && value >= s.exclusiveMaximum)
      return [value, `Must be less than ${s.exclusiveMaximum}.`];
    return [value, null];
  }

  function checkString(s, value) {
    if (s.minLength !== undefined && value.length < s.minLength) return [value, `Must have at least ${s.minLength} characters.`];
    if (s.maxLength !== undefined && value.length > s.maxLength) return [value, `Must have at most ${s.maxLength} characters.`];
    if (s.pattern && !new RegExp(s.pattern).test(value)) return [value, `Must match the pattern ${s.pattern}.`];
    return [value, null];
  }

  function exampleFor(s) {
    if (Array.isArray(s.examples) && s.examples.length) return s.examples[0];
    if (s.example !== undefined) return s.example;
    if (s.default !== undefined && s.default !== null) return s.default;
    if (s.enum) return s.enum[0];
    if (s.type === "number" || s.type === "integer") {
      const low = s.minimum ?? s.exclusiveMinimum ?? 0;
      const high = s.maximum ?? s.exclusiveMaximum ?? low + 10;
      const middle = (low + high) / 2;
      return s.type === "integer" ? Math.round(middle) : Math.round(middle * 100) / 100;
    }
    if (s.type === "boolean") return false;
    return "";
  }

  function buildControl(s, id, required) {
    const common = { id, name: id, "data-testid": id, "aria-describedby": `${id}-error` };
    if (s.enum) {
      const options = s.enum.map((option) => h("option", { value: String(option) }, String(option)));
      return h("select", { ...common, required }, h("option", { value: "" }, "— choose —"), options);
    }
    if (s.type === "number" || s.type === "integer") {
      return h("input", {
        ...common, type: "number", required, step: s.type === "integer" ? "1" : "any",
        min: s.minimum ?? s.exclusiveMinimum, max: s.maximum ?? s.exclusiveMaximum,
        placeholder: describeBounds(s),
      });
    }
    if (s.type === "boolean") return h("input", { ...common, type: "checkbox" });
    if (s.type === "string") return h("input", { ...common, type: "text", required, maxlength: s.maxLength });
    return h("textarea", { ...common, rows: 3, placeholder: "JSON value" });
  }

  /** One field: label, description, control and an inline error message under it. */
  function buildField(name, schema, root, path, required) {
    const s = resolve(schema, root);
    if (s.type === "object" && s.properties) return buildObject(s, root, path, s.title || humanize(name));
    const id = `input-${safeId(path)}`;
    const control = buildControl(s, id, required);
    const error = h("div", { class: "field-error", id: `${id}-error`, "data-testid": `error-${safeId(path)}` });
    const hint = [s.description, describeBounds(s)].filter(Boolean).join(" · ");
    const wrapper = h("div", { class: "field", "data-testid": `field-${safeId(path)}` },
      h("label", { for: id }, s.title || humanize(name), required ? " *" : ""),
      hint ? h("div", { class: "hint" }, hint) : null, control, error);
    let touched = false;
    const field = {
      path,
      read() {
        const raw = s.type === "boolean" ? control.checked : control.value;
        const [value, message] = check(s, raw, required);
        return { value, message };
      },
      validate(show) {
        const { value, message } = field.read();
        if (show || touched) {
          error.textContent = message || "";
          wrapper.classList.toggle("invalid", Boolean(message));
        }
        return { value, message };
      },
      fill(value) {
        if (s.type === "boolean") control.checked = Boolean(value);
        else control.value = value === undefined ? "" : typeof value === "object" ? JSON.stringify(value) : String(value);
        field.validate(true);
      },
      example: () => exampleFor(s),
    };
    const onEdit = () => { touched = true; field.validate(false); };
    control.addEventListener("input", onEdit);
    control.addEventListener("change", onEdit);
    control.addEventListener("blur", onEdit);
    return { node: wrapper, fields: [field] };
  }

  function buildObject(s, root, path, legend) {
    const required = new Set(s.required || []);
    const children = orderedProperties(s).map(([name, child]) =>
      buildField(name, child, root, path.concat(name), required.has(name)));
    const nodes = children.map((child) => child.node);
    const node = path.length ? h("fieldset", {}, h("legend", {}, legend), nodes) : h("div", {}, nodes);
    return { node, fields: children.flatMap((child) => child.fields) };
  }

  function setPath(target, path, value) {
    let node = target;
    path.slice(0, -1).forEach((key) => { node = node[key] = node[key] || {}; });
    node[path[path.length - 1]] = value;
  }

  function getPath(source, path) {
    return path.reduce((node, key) => (node && typeof node === "object" ? node[key] : undefined), source);
  }

  /** Build the form body for `schema` into `container`; returns {collect, fillExample, fill}. */
  function create(schema, container) {
    const root = schema || {};
    const { node, fields } = buildObject(resolve(root, root), root, [], "");
    container.replaceChildren(node);
    return {
      /** Validate every field (showing messages); {value, errors: [{path, message}]}. */
      collect(showErrors = true) {
        const value = {};
        const errors = [];
        for (const field of fields) {
          const result = field.validate(showErrors);
          if (result.message) errors.push({ path: field.path.join("."), message: result.message });
          if (result.value !== undefined) setPath(value, field.path, result.value);
        }
        return { value, errors };
      },
      /** Raw values without validation (to let the server judge them). */
      raw() {
        const value = {};
        for (const field of fields) {
          const { value: fieldValue } = field.read();
          if (fieldValue !== undefined) setPath(value, field.path, fieldValue);
        }
        return value;
      },
      fillExample() { fields.forEach((field) => field.fill(field.example())); },
      fill(data) { fields.forEach((field) => field.fill(getPath(data, field.path))); },
    };
  }

  SP.SchemaForm = { create, resolve, humanize, describeBounds, orderedProperties };
})(window.SP);
