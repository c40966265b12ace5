/** The detail panel: the item's fields, its actions, and its action history (polled while busy). */
import { useCallback, useEffect, useRef, useState } from "react";
import { ApiError, request } from "../api";
import { display } from "../fields";
import type { EntityMeta, Item } from "../meta";
import { Children, RefLink } from "./Relations";

export interface ActionRun {
  id: string;
  action: string;
  status: "queued" | "running" | "succeeded" | "failed" | string;
  requested_by?: string | null;
  requested_at?: string | null;
  started_at?: string | null;
  finished_at?: string | null;
  result?: unknown;
  error?: string | null;
}

const BUSY = new Set(["queued", "running"]);
const POLL_MS = 1000;

function when(value: string | null | undefined): string {
  return value ? new Date(value).toLocaleString() : "—";
}

function History({ meta, item, version, onSettled }: {
  meta: EntityMeta;
  item: Item;
  version: number;
  onSettled: () => void;
}) {
  const [runs, setRuns] = useState<ActionRun[] | null>(null);
  const [note, setNote] = useState("");
  const load = useCallback(async () => {
    try {
      const url = `/${meta.path}/${encodeURIComponent(item.id)}/action-runs?limit=10`;
      const page = (await request("GET", url)) as { items?: ActionRun[] };
      setRuns(page.items ?? []);
      setNote("");
    } catch (error) {
      setRuns([]);
      setNote(
        error instanceof ApiError && (error.status === 404 || error.status === 405)
          ? "This service version keeps no action history."
          : (error as Error).message,
      );
    }
  }, [meta.path, item.id]);

  useEffect(() => {
    void load();
  }, [load, version]);

  const busy = runs?.some((r) => BUSY.has(r.status)) ?? false;
  const wasBusy = useRef(false);
  useEffect(() => {
    if (wasBusy.current && !busy) onSettled(); // a run finished: the item may have changed
    wasBusy.current = busy;
    if (!busy) return;
    const timer = window.setTimeout(() => void load(), POLL_MS);
    return () => window.clearTimeout(timer);
  }, [busy, runs, load, onSettled]);

  return (
    <section aria-labelledby={`${meta.path}-history`} className="history">
      <h3 id={`${meta.path}-history`}>Action history</h3>
      {note && <p className="muted">{note}</p>}
      {runs && runs.length === 0 && !note && <p className="muted">No actions run yet.</p>}
      {runs && runs.length > 0 && (
        <table className="compact">
          <thead>
            <tr>
              <th scope="col">Action</th>
              <th scope="col">Status</th>
              <th scope="col">Requested</th>
              <th scope="col">Finished</th>
              <th scope="col">Outcome</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((run) => (
              <tr key={run.id}>
                <td>{run.action}</td>
                <td>
                  <span className={`badge badge-${run.status}`} data-testid="run-status">
                    {run.status}
                  </span>
                </td>
                <td>
                  {when(run.requested_at)}
                  {run.requested_by ? ` by ${run.requested_by}` : ""}
                </td>
                <td>{when(run.finished_at)}</td>
                <td className={run.error ? "error-text" : undefined}>
                  {run.error ?? (run.result == null ? "—" : JSON.stringify(run.result))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

interface Props {
  meta: EntityMeta;
  item: Item;
  onEdit: () => void;
  onDelete: () => Promise<void>;
  onChanged: () => void;
}

export default function Detail({ meta, item, onEdit, onDelete, onChanged }: Props) {
  const [confirming, setConfirming] = useState(false);
  const [message, setMessage] = useState("");
  const [error, setError] = useState("");
  const [version, setVersion] = useState(0);
  const actions = meta.actions.filter((a) => a.scope === "item");

  const run = async (segment: string, name: string) => {
    setError("");
    try {
      const answer = (await request(
        "POST",
        `/${meta.path}/${encodeURIComponent(item.id)}/${segment}`,
      )) as Partial<ActionRun> | null;
      setMessage(`${name}: ${answer?.status ?? "accepted"}`);
      setVersion((v) => v + 1);
      onChanged();
    } catch (e) {
      setError(`${name}: ${(e as Error).message}`);
    }
  };

  const remove = async () => {
    setError("");
    try {
      await onDelete();
    } catch (e) {
      setError((e as Error).message);
      setConfirming(false);
    }
  };

  return (
    <section className="detail" aria-labelledby={`${meta.path}-detail`}>
      <h2 id={`${meta.path}-detail`}>{meta.label}</h2>
      <dl className="fields">
        {meta.fields
          .filter((f) => !f.sensitive)
          .map((f) => (
            <div key={f.name}>
              <dt>{f.label}</dt>
              <dd className={f.type === "json" ? "code" : undefined}>
                {f.ref ? <RefLink field={f} item={item} /> : display(f, item[f.name])}
              </dd>
            </div>
          ))}
      </dl>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {message && (
        <p className="status" role="status">
          {message}
        </p>
      )}
      <div className="buttons">
        <button type="button" onClick={onEdit}>
          Edit
        </button>
        {actions.map((a) => (
          <button
            key={a.name}
            type="button"
            title={a.description ?? undefined}
            onClick={() => void run(a.segment, a.name)}
          >
            {a.name}
          </button>
        ))}
        {!confirming && (
          <button type="button" className="danger" onClick={() => setConfirming(true)}>
            Delete
          </button>
        )}
      </div>
      {confirming && (
        <div className="confirm" role="alertdialog" aria-labelledby={`${meta.path}-confirm`}>
          <p id={`${meta.path}-confirm`}>Delete this {meta.label}? This cannot be undone.</p>
          <button type="button" className="danger" onClick={() => void remove()}>
            Confirm delete
          </button>
          <button type="button" onClick={() => setConfirming(false)} autoFocus>
            Cancel
          </button>
        </div>
      )}
      {meta.children.length > 0 && (
        <Children parentPath={meta.path} item={item} children={meta.children} version={version} />
      )}
      {actions.length > 0 && (
        <History meta={meta} item={item} version={version} onSettled={onChanged} />
      )}
    </section>
  );
}
