/** The Bento workbench of one entity: header, stats, table, and a side panel (detail or form). */
import { useCallback, useEffect, useState } from "react";
import { request } from "../api";
import type { EntityModule, Item, Page, Query } from "../meta";
import DataTable from "./DataTable";
import Detail from "./Detail";
import ItemForm from "./ItemForm";
import Stats from "./Stats";

type Panel = { mode: "none" } | { mode: "view"; item: Item } | { mode: "create" } | { mode: "edit"; item: Item };

/** The list's first query; refs are embedded so the table names their rows. */
function firstQuery(module: EntityModule): Query {
  const expand = module.meta.fields.flatMap((f) => (f.ref ? [f.ref.expand] : []));
  return expand.length ? { limit: 25, offset: 0, expand } : { limit: 25, offset: 0 };
}

export default function Workbench({ module, openId: linked }: { module: EntityModule; openId?: string }) {
  const { meta, api } = module;
  const [query, setQuery] = useState<Query>(() => firstQuery(module));
  const [page, setPage] = useState<Page | null>(null);
  const [error, setError] = useState("");
  const [panel, setPanel] = useState<Panel>({ mode: "none" });
  const [version, setVersion] = useState(0);
  const [notice, setNotice] = useState("");
  const refresh = useCallback(() => setVersion((v) => v + 1), []);

  useEffect(() => {
    let live = true;
    api.list(query).then(
      (p) => live && (setPage(p), setError("")),
      (e: Error) => live && setError(e.message),
    );
    return () => {
      live = false;
    };
  }, [api, query, version]);

  // A link to one item (`#/<path>/<id>`) opens its detail.
  useEffect(() => {
    if (!linked) return;
    api.get(linked).then(
      (item) => setPanel({ mode: "view", item }),
      (e: Error) => setNotice(`Could not open the ${meta.label}: ${e.message}`),
    );
  }, [api, linked, meta.label]);

  // Keep the open item current after an action or a save elsewhere.
  const openId = panel.mode === "view" ? panel.item.id : null;
  useEffect(() => {
    if (!openId || version === 0) return;
    api.get(openId).then(
      (item) => setPanel((p) => (p.mode === "view" && p.item.id === item.id ? { mode: "view", item } : p)),
      () => setPanel({ mode: "none" }),
    );
  }, [api, openId, version]);

  const collection = meta.actions.filter((a) => a.scope === "collection");
  const runCollection = async (segment: string, name: string) => {
    try {
      const run = (await request("POST", `/${meta.path}/${segment}`)) as { status?: string } | null;
      setNotice(`${name}: ${run?.status ?? "accepted"}`);
      refresh();
    } catch (e) {
      setNotice(`${name}: ${(e as Error).message}`);
    }
  };

  return (
    <div className="workbench">
      <header className="card page-header">
        <div>
          <h1>{meta.pluralLabel}</h1>
          {meta.uiRequirements && (
            <p className="lead requirements" data-testid="ui-requirements">
              {meta.uiRequirements}
            </p>
          )}
          {meta.description && <p className="muted">{meta.description}</p>}
        </div>
        <div className="buttons">
          {collection.map((a) => (
            <button
              key={a.name}
              type="button"
              title={a.description ?? undefined}
              onClick={() => void runCollection(a.segment, a.name)}
            >
              {a.name}
            </button>
          ))}
          <button type="button" className="primary" onClick={() => setPanel({ mode: "create" })}>
            New {meta.label}
          </button>
        </div>
        {notice && (
          <p className="status" role="status">
            {notice}
          </p>
        )}
      </header>
      <Stats module={module} version={version} />
      <DataTable
        meta={meta}
        page={page}
        query={query}
        selected={panel.mode === "view" || panel.mode === "edit" ? panel.item.id : null}
        error={error}
        onQuery={setQuery}
        onSelect={(item) => setPanel({ mode: "view", item })}
      />
      <aside className="card side" aria-label="Details">
        {panel.mode === "none" && (
          <p className="muted">Select a row (click or Enter) to see its details and actions.</p>
        )}
        {panel.mode === "view" && (
          <Detail
            key={panel.item.id}
            meta={meta}
            item={panel.item}
            onEdit={() => setPanel({ mode: "edit", item: panel.item })}
            onDelete={async () => {
              await api.remove(panel.item.id);
              setPanel({ mode: "none" });
              setNotice(`Deleted the ${meta.label}`);
              refresh();
            }}
            onChanged={refresh}
          />
        )}
        {panel.mode === "create" && (
          <ItemForm
            key="create"
            meta={meta}
            item={null}
            onCancel={() => setPanel({ mode: "none" })}
            onSubmit={async (body) => {
              const item = await api.create(body);
              setPanel({ mode: "view", item });
              setNotice(`Created the ${meta.label}`);
              refresh();
            }}
          />
        )}
        {panel.mode === "edit" && (
          <ItemForm
            key={`edit-${panel.item.id}`}
            meta={meta}
            item={panel.item}
            onCancel={() => setPanel({ mode: "view", item: panel.item })}
            onSubmit={async (body) => {
              const item = await api.update(panel.item.id, body);
              setPanel({ mode: "view", item });
              setNotice(`Saved the ${meta.label}`);
              refresh();
            }}
          />
        )}
      </aside>
    </div>
  );
}
