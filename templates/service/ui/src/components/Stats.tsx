/** The stats panel: total, counts per enum value and per boolean, the latest update. */
import { useEffect, useState } from "react";
import { display } from "../fields";
import type { EntityModule, FieldMeta } from "../meta";

interface Count {
  field: FieldMeta;
  value: string;
  count: number;
}

interface Figures {
  total: number;
  counts: Count[];
  latest: unknown;
}

/** Counts come from `limit=1` list queries: the server's `total` per filter value. */
async function figures({ meta, api }: EntityModule): Promise<Figures> {
  const total = (await api.list({ limit: 1 })).total;
  const queries: Promise<Count>[] = [];
  for (const field of meta.fields.filter((f) => f.filterable)) {
    const values = field.type === "boolean" ? ["true", "false"] : field.values;
    for (const value of values) {
      queries.push(
        api.list({ limit: 1, [field.name]: value }).then((page) => ({
          field,
          value,
          count: page.total,
        })),
      );
    }
  }
  const sortable = meta.fields.some((f) => f.name === "updated_at" && f.sortable);
  const latest = sortable
    ? ((await api.list({ limit: 1, sort: "-updated_at" })).items[0]?.updated_at ?? null)
    : null;
  return { total, counts: await Promise.all(queries), latest };
}

export default function Stats({ module, version }: { module: EntityModule; version: number }) {
  const [data, setData] = useState<Figures | null>(null);
  const [error, setError] = useState("");
  useEffect(() => {
    let live = true;
    figures(module).then(
      (f) => live && (setData(f), setError("")),
      (e: Error) => live && setError(e.message),
    );
    return () => {
      live = false;
    };
  }, [module, version]);

  const updated = module.meta.fields.find((f) => f.name === "updated_at");
  const groups = new Map<string, Count[]>();
  for (const c of data?.counts ?? []) {
    groups.set(c.field.label, [...(groups.get(c.field.label) ?? []), c]);
  }
  return (
    <section className="card stats" aria-labelledby={`${module.meta.path}-stats`}>
      <h2 id={`${module.meta.path}-stats`}>Stats</h2>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <dl className="figures">
        <div className="figure big">
          <dt>Total</dt>
          <dd data-testid="stat-total">{data ? data.total : "…"}</dd>
        </div>
        {updated && (
          <div className="figure">
            <dt>Last updated</dt>
            <dd>{data ? display(updated, data.latest) : "…"}</dd>
          </div>
        )}
      </dl>
      {[...groups.entries()].map(([label, counts]) => (
        <div key={label} className="breakdown">
          <h3>{label}</h3>
          <ul>
            {counts.map((c) => (
              <li key={c.value}>
                <span className={`badge badge-${c.value}`}>
                  {c.field.type === "boolean" ? (c.value === "true" ? "Yes" : "No") : c.value}
                </span>
                <span className="count">{c.count}</span>
              </li>
            ))}
          </ul>
        </div>
      ))}
    </section>
  );
}
