/** The shell: navigation, the API key, the home page with counts, and one workbench per entity. */
import { useEffect, useState, type ComponentType } from "react";
import { apiKey, setApiKey } from "./api";
import Workbench from "./components/Workbench";
import { overrides } from "./custom";
import { ENTITIES } from "./entities";
import type { EntityModule } from "./meta";

function useRoute(): string {
  const read = () => window.location.hash.replace(/^#\/?/, "");
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const listener = () => setRoute(read());
    window.addEventListener("hashchange", listener);
    return () => window.removeEventListener("hashchange", listener);
  }, []);
  return route;
}

function Home() {
  const [counts, setCounts] = useState<Record<string, number | string>>({});
  useEffect(() => {
    for (const { meta, api } of ENTITIES) {
      api.list({ limit: 1 }).then(
        (page) => setCounts((c) => ({ ...c, [meta.path]: page.total })),
        (e: Error) => setCounts((c) => ({ ...c, [meta.path]: e.message })),
      );
    }
  }, []);
  return (
    <div className="home">
      <header className="card page-header">
        <div>
          <h1>Workbenches</h1>
          <p className="muted">Every entity of this service, with its number of items.</p>
        </div>
      </header>
      <ul className="entity-grid">
        {ENTITIES.map(({ meta }) => (
          <li key={meta.path} className="card entity-card">
            <a href={`#/${meta.path}`}>
              <span className="entity-name">{meta.pluralLabel}</span>
              <span className="entity-count" data-testid={`count-${meta.path}`}>
                {counts[meta.path] ?? "…"}
              </span>
            </a>
            {meta.description && <p className="muted">{meta.description}</p>}
          </li>
        ))}
      </ul>
    </div>
  );
}

function KeyField() {
  const [value, setValue] = useState(apiKey);
  return (
    <form
      className="key"
      onSubmit={(e) => {
        e.preventDefault();
        setApiKey(value.trim());
        window.location.reload();
      }}
    >
      <label htmlFor="api-key">API key</label>
      <input
        id="api-key"
        type="password"
        autoComplete="off"
        value={value}
        onChange={(e) => setValue(e.target.value)}
      />
      <button type="submit">Use key</button>
    </form>
  );
}

export default function App() {
  const [route, openId] = useRoute().split("/", 2) as [string, string | undefined];
  const current: EntityModule | undefined = ENTITIES.find((e) => e.meta.path === route);
  const Custom: ComponentType<{ module: EntityModule }> | undefined = current
    ? overrides[current.meta.name]
    : undefined;
  useEffect(() => {
    document.title = current ? `${current.meta.pluralLabel} · Workbench` : "Workbenches";
  }, [current]);
  return (
    <div className="shell">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <nav className="sidebar" aria-label="Entities">
        <a className="brand" href="#/">
          Workbench
        </a>
        <ul>
          {ENTITIES.map(({ meta }) => (
            <li key={meta.path}>
              <a href={`#/${meta.path}`} aria-current={meta.path === route ? "page" : undefined}>
                {meta.pluralLabel}
              </a>
            </li>
          ))}
        </ul>
        <KeyField />
      </nav>
      <main id="main" tabIndex={-1}>
        {current ? (
          Custom ? (
            <Custom module={current} />
          ) : (
            <Workbench
              key={current.meta.path}
              module={current}
              openId={openId ? decodeURIComponent(openId) : undefined}
            />
          )
        ) : (
          <Home />
        )}
      </main>
    </div>
  );
}
