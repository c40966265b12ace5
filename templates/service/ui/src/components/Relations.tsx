/** Related entities: a ref shown as a link to its target, chosen from the target's rows, and
 * the rows of other entities that point at an item (the nested routes). */
import { useEffect, useState } from "react";
import { request } from "../api";
import type { ChildMeta, FieldMeta, Item, RefMeta } from "../meta";

/** How many target rows a select offers (the API's largest page). */
const CHOICES = 200;

/** A row's name for people: its label field, else its id. */
export function rowLabel(row: Record<string, unknown> | null | undefined, labelField: string) {
  const value = row?.[labelField];
  return value === null || value === undefined || value === "" ? String(row?.id ?? "") : String(value);
}

/** The hash route of one item's detail. */
export function itemHref(path: string, id: string): string {
  return `#/${path}/${encodeURIComponent(id)}`;
}

/** A ref value as a link to the target's detail, named by the embedded row when expanded. */
export function RefLink({ field, item }: { field: FieldMeta; item: Item }) {
  const ref = field.ref as RefMeta;
  const id = item[field.name];
  if (typeof id !== "string" || !id) return <>—</>;
  const embedded = item[ref.expand] as Record<string, unknown> | null | undefined;
  return (
    <a href={itemHref(ref.path, id)} onClick={(e) => e.stopPropagation()}>
      {embedded ? rowLabel(embedded, ref.labelField) : id}
    </a>
  );
}

export interface Choice {
  id: string;
  label: string;
}

/** The target's rows as choices (sorted by label); an error leaves the list empty. */
export function useChoices(ref: RefMeta | null): { choices: Choice[]; problem: string } {
  const [choices, setChoices] = useState<Choice[]>([]);
  const [problem, setProblem] = useState("");
  useEffect(() => {
    if (!ref) return;
    let live = true;
    request("GET", `/${ref.path}?limit=${CHOICES}`).then(
      (page) => {
        if (!live) return;
        const items = ((page as { items?: Item[] }).items ?? []).map((row) => ({
          id: row.id,
          label: rowLabel(row, ref.labelField),
        }));
        setChoices(items.sort((a, b) => a.label.localeCompare(b.label)));
      },
      (e: Error) => live && setProblem(`Could not load the ${ref.label} list: ${e.message}`),
    );
    return () => {
      live = false;
    };
  }, [ref]);
  return { choices, problem };
}

/** The item's children through one nested route, each a link to its detail. */
function ChildList({ parentPath, id, child }: { parentPath: string; id: string; child: ChildMeta }) {
  const [page, setPage] = useState<{ items: Item[]; total: number } | null>(null);
  const [problem, setProblem] = useState("");
  useEffect(() => {
    let live = true;
    const url = `/${parentPath}/${encodeURIComponent(id)}/${child.segment}?limit=50`;
    request("GET", url).then(
      (answer) => live && setPage(answer as { items: Item[]; total: number }),
      (e: Error) => live && setProblem(e.message),
    );
    return () => {
      live = false;
    };
  }, [parentPath, id, child.segment]);
  const headingId = `${parentPath}-children-${child.segment}`;
  return (
    <section aria-labelledby={headingId} className="children">
      <h3 id={headingId}>
        {child.segment === child.path ? child.pluralLabel : child.segment.replace(/-/g, " ")}
        {page ? <span className="muted"> · {page.total}</span> : null}
      </h3>
      {problem && <p className="error-text">{problem}</p>}
      {page && page.items.length === 0 && <p className="muted">None yet.</p>}
      {page && page.items.length > 0 && (
        <ul className="child-list">
          {page.items.map((row) => (
            <li key={row.id}>
              <a href={itemHref(child.path, row.id)}>{rowLabel(row, child.labelField)}</a>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function Children({ parentPath, item, children, version }: {
  parentPath: string;
  item: Item;
  children: ChildMeta[];
  version: number;
}) {
  return (
    <>
      {children.map((child) => (
        <ChildList key={`${child.segment}-${version}`} parentPath={parentPath} id={item.id} child={child} />
      ))}
    </>
  );
}
