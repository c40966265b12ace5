/** Values between the API's JSON and the form's strings, one rule per field type. */
import type { FieldMeta, Item } from "./meta";

export type FormValues = Record<string, string | boolean>;

const pad = (n: number): string => String(n).padStart(2, "0");

/** An ISO timestamp as the local `YYYY-MM-DDTHH:mm:ss` a datetime-local input takes. */
function localDateTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}` +
    `T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
  );
}

/** How a value reads in the table and the detail panel. */
export function display(field: FieldMeta, value: unknown): string {
  if (value === null || value === undefined) return "—";
  if (field.type === "boolean") return value ? "Yes" : "No";
  if (field.type === "datetime" && typeof value === "string") {
    const d = new Date(value);
    return Number.isNaN(d.getTime()) ? value : d.toLocaleString();
  }
  if (field.type === "json") return JSON.stringify(value);
  return String(value);
}

/** The form's starting values: the item's (edit) or the spec's defaults (create). */
export function initialValues(fields: FieldMeta[], item: Item | null): FormValues {
  const values: FormValues = {};
  for (const f of fields) {
    const raw = item ? item[f.name] : f.default;
    if (f.sensitive) values[f.name] = "";
    else if (f.type === "boolean") values[f.name] = raw === true;
    else if (raw === null || raw === undefined) values[f.name] = "";
    else if (f.type === "json") values[f.name] = JSON.stringify(raw, null, 2);
    else if (f.type === "datetime") values[f.name] = localDateTime(String(raw));
    else values[f.name] = String(raw);
  }
  return values;
}

/** A JSON editor's text that does not parse: the reason, else null. */
export function jsonProblem(text: string): string | null {
  if (!text.trim()) return null;
  try {
    JSON.parse(text);
    return null;
  } catch (error) {
    return `Not valid JSON: ${(error as Error).message}`;
  }
}

function convert(field: FieldMeta, value: string | boolean): unknown {
  if (typeof value === "boolean") return value;
  switch (field.type) {
    case "integer":
    case "float": {
      const n = Number(value);
      return Number.isNaN(n) ? value : n;
    }
    case "json":
      return JSON.parse(value);
    case "datetime": {
      const d = new Date(value);
      return Number.isNaN(d.getTime()) ? value : d.toISOString();
    }
    default:
      return value;
  }
}

/**
 * The request body. Create sends every filled field (the server applies defaults to the rest);
 * edit sends only what changed, and a blank secret means "keep the stored one".
 */
export function toBody(
  fields: FieldMeta[],
  values: FormValues,
  original: FormValues | null,
): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const f of fields) {
    const value = values[f.name] ?? "";
    if (original && !f.sensitive && value === original[f.name]) continue;
    if (value === "") {
      if (original && !f.sensitive && f.nullable) body[f.name] = null;
      continue;
    }
    body[f.name] = convert(f, value);
  }
  return body;
}
