import { stringify } from 'yaml';

export interface SqlTestFile {
  readonly path: string;
  readonly format: string;
  readonly query: string;
  readonly jsonColumns?: readonly string[];
}

export interface SqlTestGroup {
  readonly name: string;
  readonly description: string;
  readonly timeFilter?: boolean;
  readonly files: readonly SqlTestFile[];
}

/**
 * A catalog with one `sql` source, `db`, at the URL the environment variable `urlVariable` holds (resolved
 * when the catalog loads, as an operator's would be), reading `fetchRows` rows a batch, and these groups.
 */
export function sqlCatalogYaml(urlVariable: string, fetchRows: number, groups: readonly SqlTestGroup[]): string {
  return stringify({
    sources: { db: { type: 'sql', url: `\${${urlVariable}}`, fetchRows } },
    resourceGroups: groups.map(({ name, description, timeFilter, files }) => ({
      name,
      scope: `https://dataport.test/auth/${name}`,
      description,
      ...(timeFilter ? { timeFilter } : {}),
      source: 'db',
      files,
    })),
  });
}
