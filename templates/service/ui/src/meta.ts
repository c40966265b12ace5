/** The shapes every workbench shares: entity and field metadata, items, pages, the API port. */

export type FieldKind =
  | "uuid"
  | "string"
  | "text"
  | "integer"
  | "float"
  | "boolean"
  | "datetime"
  | "date"
  | "enum"
  | "json"
  | "ref";

/** Where a ref field points: the target's page, and how its rows are named. */
export interface RefMeta {
  /** The `?expand=` value and the key of the embedded row in an answer. */
  expand: string;
  path: string;
  label: string;
  labelField: string;
}

/** Rows of another entity that point at this one: `GET /<path>/{id}/<segment>`. */
export interface ChildMeta {
  segment: string;
  path: string;
  label: string;
  pluralLabel: string;
  labelField: string;
}

export interface FieldMeta {
  name: string;
  label: string;
  type: FieldKind;
  /** The server sets it (id, timestamps): shown, never sent. */
  managed: boolean;
  required: boolean;
  /** Write-only: never read back, never displayed. */
  sensitive: boolean;
  nullable: boolean;
  values: string[];
  min: number | null;
  max: number | null;
  maxLength: number | null;
  default: unknown;
  description: string | null;
  filterable: boolean;
  sortable: boolean;
  ref: RefMeta | null;
}

export interface ActionMeta {
  name: string;
  /** URL segment after the item (or collection) path. */
  segment: string;
  scope: "item" | "collection";
  description: string | null;
}

export interface EntityMeta {
  name: string;
  label: string;
  pluralLabel: string;
  /** API path without the leading slash, also the page's hash route. */
  path: string;
  description: string | null;
  uiRequirements: string | null;
  /** The field that names a row for people (links, selects), else `id`. */
  labelField: string;
  fields: FieldMeta[];
  children: ChildMeta[];
  actions: ActionMeta[];
}

export type Item = Record<string, unknown> & { id: string };

export interface Page {
  items: Item[];
  total: number;
  limit: number;
  offset: number;
}

export type Query = Record<string, string | number | boolean | string[]>;

/** What a workbench needs from the service; each entity implements it with the typed client. */
export interface EntityApi {
  list(query: Query): Promise<Page>;
  get(id: string): Promise<Item>;
  create(body: Record<string, unknown>): Promise<Item>;
  update(id: string, body: Record<string, unknown>): Promise<Item>;
  remove(id: string): Promise<void>;
}

export interface EntityModule {
  meta: EntityMeta;
  api: EntityApi;
}
