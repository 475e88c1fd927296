/** Reading records whose parts live in a child table (a campaign's or a petition's texts per language). */

/**
 * Loads the children of all `parents` in one query and builds each record from its parent row and its own children.
 * No parents: no query.
 */
export async function withChildRows<P extends { id: number | string }, C, R>(
  parents: readonly P[],
  options: { load(parentIds: number[]): Promise<C[]>; parentIdOf(child: C): number | string; build(parent: P, children: C[]): R },
): Promise<R[]> {
  if (parents.length === 0) return [];
  const children = new Map<number, C[]>();
  for (const child of await options.load(parents.map((p) => Number(p.id)))) {
    const id = Number(options.parentIdOf(child));
    const list = children.get(id);
    if (list) list.push(child);
    else children.set(id, [child]);
  }
  return parents.map((parent) => options.build(parent, children.get(Number(parent.id)) ?? []));
}
