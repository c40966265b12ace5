/**
 * Yours: the generator writes this file once and never overwrites it (nor anything in
 * src/custom/). Map an entity name to your own component to replace its workbench, e.g.
 *
 *   import MyRawDataSources from "./MyRawDataSources";
 *   export const overrides = { RawDataSource: MyRawDataSources };
 */
import type { ComponentType } from "react";
import type { EntityModule } from "../meta";

export const overrides: Record<string, ComponentType<{ module: EntityModule }>> = {};
