/** The create and edit form: one labelled input per writable field, errors next to each. */
import { useState, type FormEvent } from "react";
import { ApiError } from "../api";
import { initialValues, jsonProblem, toBody, type FormValues } from "../fields";
import type { EntityMeta, FieldMeta, Item } from "../meta";
import { useChoices } from "./Relations";

interface Props {
  meta: EntityMeta;
  item: Item | null;
  onSubmit: (body: Record<string, unknown>) => Promise<void>;
  onCancel: () => void;
}

function inputId(meta: EntityMeta, field: FieldMeta): string {
  return `${meta.path}-field-${field.name}`;
}

/** A ref: one of the target's rows, named by its label field (the id is what is sent). */
function RefInput(props: {
  common: Record<string, unknown>;
  field: FieldMeta;
  value: string;
  onChange: (value: string) => void;
}) {
  const { common, field, value, onChange } = props;
  const { choices, problem } = useChoices(field.ref);
  const known = !value || choices.some((c) => c.id === value);
  return (
    <>
      <select {...common} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">{field.required ? "Choose…" : "(none)"}</option>
        {!known && <option value={value}>{value}</option>}
        {choices.map((c) => (
          <option key={c.id} value={c.id}>
            {c.label}
          </option>
        ))}
      </select>
      {problem && <span className="error-text">{problem}</span>}
    </>
  );
}

function Input(props: {
  id: string;
  field: FieldMeta;
  value: string | boolean;
  editing: boolean;
  invalid: boolean;
  onChange: (value: string | boolean) => void;
}) {
  const { id, field, value, editing, invalid, onChange } = props;
  const common = {
    id,
    name: field.name,
    "aria-invalid": invalid || undefined,
    "aria-describedby": `${id}-help`,
    required: field.required && !(editing && field.sensitive),
  };
  if (field.type === "boolean") {
    return (
      <input
        {...common}
        type="checkbox"
        required={false}
        checked={value === true}
        onChange={(e) => onChange(e.target.checked)}
      />
    );
  }
  const text = typeof value === "string" ? value : "";
  if (field.type === "ref" && field.ref) {
    return <RefInput common={common} field={field} value={text} onChange={onChange} />;
  }
  if (field.type === "enum") {
    return (
      <select {...common} value={text} onChange={(e) => onChange(e.target.value)}>
        <option value="">{field.required ? "Choose…" : "(none)"}</option>
        {field.values.map((v) => (
          <option key={v} value={v}>
            {v}
          </option>
        ))}
      </select>
    );
  }
  if (field.type === "json" || field.type === "text") {
    return (
      <textarea
        {...common}
        className={field.type === "json" ? "code" : undefined}
        rows={field.type === "json" ? 5 : 3}
        spellCheck={field.type !== "json"}
        maxLength={field.maxLength ?? undefined}
        value={text}
        onChange={(e) => onChange(e.target.value)}
      />
    );
  }
  const number = field.type === "integer" || field.type === "float";
  const type = field.sensitive
    ? "password"
    : number
      ? "number"
      : field.type === "datetime"
        ? "datetime-local"
        : field.type === "date"
          ? "date"
          : "text";
  return (
    <input
      {...common}
      type={type}
      value={text}
      autoComplete={field.sensitive ? "new-password" : "off"}
      placeholder={editing && field.sensitive ? "unchanged" : undefined}
      maxLength={field.maxLength ?? undefined}
      min={field.min ?? undefined}
      max={field.max ?? undefined}
      step={field.type === "integer" ? 1 : number ? "any" : field.type === "datetime" ? 1 : undefined}
      onChange={(e) => onChange(e.target.value)}
    />
  );
}

function hint(field: FieldMeta, editing: boolean): string {
  const parts: string[] = [];
  if (field.description) parts.push(field.description);
  if (field.min !== null) parts.push(`min ${field.min}`);
  if (field.max !== null) parts.push(`max ${field.max}`);
  if (field.maxLength !== null) parts.push(`up to ${field.maxLength} characters`);
  if (field.type === "json") parts.push("JSON");
  if (field.sensitive) parts.push(editing ? "write-only; leave blank to keep" : "write-only");
  return parts.join(" · ");
}

export default function ItemForm({ meta, item, onSubmit, onCancel }: Props) {
  const fields = meta.fields.filter((f) => !f.managed);
  const [original] = useState<FormValues>(() => initialValues(fields, item));
  const [values, setValues] = useState<FormValues>(original);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState("");
  const [busy, setBusy] = useState(false);
  const editing = item !== null;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const local: Record<string, string> = {};
    for (const f of fields) {
      const value = values[f.name];
      if (f.type === "json" && typeof value === "string") {
        const problem = jsonProblem(value);
        if (problem) local[f.name] = problem;
      }
    }
    setErrors(local);
    if (Object.keys(local).length) {
      setMessage("Some fields need attention");
      return;
    }
    setBusy(true);
    setMessage("");
    try {
      await onSubmit(toBody(fields, values, editing ? original : null));
    } catch (error) {
      if (error instanceof ApiError) {
        setErrors(error.fields);
        setMessage(error.message);
      } else {
        setMessage(`Could not reach the service: ${(error as Error).message}`);
      }
    } finally {
      setBusy(false);
    }
  };

  const title = editing ? `Edit ${meta.label}` : `New ${meta.label}`;
  return (
    <form className="item-form" noValidate onSubmit={(e) => void submit(e)} aria-label={title}>
      <h2>{title}</h2>
      {message && (
        <p className="error" role="alert">
          {message}
        </p>
      )}
      {fields.map((f) => {
        const id = inputId(meta, f);
        const error = errors[f.name];
        return (
          <div key={f.name} className={f.type === "boolean" ? "field field-check" : "field"}>
            <div className="label-row">
              <label htmlFor={id}>{f.label}</label>
              {f.required && (
                <span className="required" title="required">
                  *
                </span>
              )}
            </div>
            <Input
              id={id}
              field={f}
              value={values[f.name] ?? ""}
              editing={editing}
              invalid={Boolean(error)}
              onChange={(value) => {
                setValues((current) => ({ ...current, [f.name]: value }));
                if (f.type === "json" && typeof value === "string") {
                  const problem = jsonProblem(value);
                  setErrors((current) => {
                    const next = { ...current };
                    if (problem) next[f.name] = problem;
                    else delete next[f.name];
                    return next;
                  });
                }
              }}
            />
            <small id={`${id}-help`} className="hint">
              {hint(f, editing)}
            </small>
            {error && (
              <p className="field-error" role="alert" id={`${id}-error`}>
                {error}
              </p>
            )}
          </div>
        );
      })}
      <div className="form-buttons">
        <button type="submit" className="primary" disabled={busy}>
          {editing ? "Save" : "Create"}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
