/** The data table: filters, sortable headers, server-side pages, keyboard-selectable rows. */
import { display } from "../fields";
import type { EntityMeta, FieldMeta, Item, Page, Query } from "../meta";
import { RefLink, useChoices } from "./Relations";

export const PAGE_SIZES = [10, 25, 50, 100];

interface Props {
  meta: EntityMeta;
  page: Page | null;
  query: Query;
  selected: string | null;
  error: string;
  onQuery: (query: Query) => void;
  onSelect: (item: Item) => void;
}

/** A filter by one field's value: enum values, yes/no, or the rows a ref may point at. */
function Filter({ meta, field, value, onChange }: {
  meta: EntityMeta;
  field: FieldMeta;
  value: string;
  onChange: (value: string) => void;
}) {
  const { choices } = useChoices(field.ref);
  const id = `${meta.path}-filter-${field.name}`;
  const options: { value: string; label: string }[] = field.ref
    ? choices.map((c) => ({ value: c.id, label: c.label }))
    : field.type === "boolean"
      ? [
          { value: "true", label: "Yes" },
          { value: "false", label: "No" },
        ]
      : field.values.map((v) => ({ value: v, label: v }));
  return (
    <div className="filter">
      <label htmlFor={id}>{field.label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">All</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

export default function DataTable({ meta, page, query, selected, error, onQuery, onSelect }: Props) {
  const columns = meta.fields.filter((f) => !f.sensitive);
  const filters = meta.fields.filter((f) => f.filterable);
  const sort = String(query.sort ?? "");
  const limit = Number(query.limit);
  const offset = Number(query.offset ?? 0);
  const total = page?.total ?? 0;
  const set = (changes: Query, reset = true) => {
    const next: Query = { ...query, ...changes };
    for (const [k, v] of Object.entries(next)) if (v === "") delete next[k];
    if (reset) next.offset = 0;
    onQuery(next);
  };
  const caption = `${meta.pluralLabel}: ${total ? `${offset + 1}–${Math.min(offset + limit, total)} of ${total}` : "none"}`;

  return (
    <section className="card table-card" aria-labelledby={`${meta.path}-table`}>
      <h2 id={`${meta.path}-table`}>{meta.pluralLabel}</h2>
      {filters.length > 0 && (
        <div className="filters" role="group" aria-label="Filters">
          {filters.map((f) => (
            <Filter
              key={f.name}
              meta={meta}
              field={f}
              value={String(query[f.name] ?? "")}
              onChange={(value) => set({ [f.name]: value })}
            />
          ))}
        </div>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="table-scroll">
        <table>
          <caption className="sr-only">{caption}</caption>
          <thead>
            <tr>
              {columns.map((f) => {
                const direction =
                  sort === f.name ? "ascending" : sort === `-${f.name}` ? "descending" : undefined;
                return (
                  <th key={f.name} scope="col" aria-sort={direction}>
                    {f.sortable ? (
                      <button
                        type="button"
                        className="sort"
                        onClick={() =>
                          set({ sort: direction === "ascending" ? `-${f.name}` : f.name })
                        }
                      >
                        {f.label}
                        <span aria-hidden="true">
                          {direction === "ascending" ? " ▲" : direction === "descending" ? " ▼" : ""}
                        </span>
                      </button>
                    ) : (
                      f.label
                    )}
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {page?.items.map((item) => (
              <tr
                key={item.id}
                tabIndex={0}
                aria-selected={item.id === selected}
                className={item.id === selected ? "selected" : undefined}
                onClick={() => onSelect(item)}
                onKeyDown={(e) => {
                  if (e.key === "Enter" || e.key === " ") {
                    e.preventDefault();
                    onSelect(item);
                  }
                }}
              >
                {columns.map((f) => (
                  <td key={f.name} className={`col-${f.type}`}>
                    {f.ref ? (
                      <RefLink field={f} item={item} />
                    ) : f.type === "enum" && item[f.name] != null ? (
                      <span className={`badge badge-${String(item[f.name])}`}>
                        {String(item[f.name])}
                      </span>
                    ) : (
                      display(f, item[f.name])
                    )}
                  </td>
                ))}
              </tr>
            ))}
            {page && page.items.length === 0 && (
              <tr>
                <td colSpan={columns.length} className="empty">
                  Nothing here yet.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      <nav className="pager" aria-label="Pages">
        <span aria-live="polite">{caption}</span>
        <label htmlFor={`${meta.path}-page-size`}>Rows per page</label>
        <select
          id={`${meta.path}-page-size`}
          value={limit}
          onChange={(e) => set({ limit: Number(e.target.value) })}
        >
          {PAGE_SIZES.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
        <button
          type="button"
          disabled={offset === 0}
          onClick={() => set({ offset: Math.max(0, offset - limit) }, false)}
        >
          Previous
        </button>
        <button
          type="button"
          disabled={offset + limit >= total}
          onClick={() => set({ offset: offset + limit }, false)}
        >
          Next
        </button>
      </nav>
    </section>
  );
}
