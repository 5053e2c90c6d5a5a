// Who is at the desk: the token, the caller's account and roles, the org tree they reach and the
// Chinese names of every coded value. Loaded once after login.
import { defineStore } from "pinia";
import { api, must, getToken, setToken, type Me, type Org, type Vocabularies } from "../api/client";

export const STAFF_ROLES = ["secretary", "admin"];

export interface OrgNode extends Org {
  children: OrgNode[];
}

/** The orgs under the caller's staff roles, as trees (each role's org is a root). */
export function reachTrees(orgs: Org[], roots: number[]): OrgNode[] {
  const nodes = new Map<number, OrgNode>(orgs.map((o) => [o.id, { ...o, children: [] }]));
  for (const node of nodes.values()) {
    if (node.parent_id != null) nodes.get(node.parent_id)?.children.push(node);
  }
  const wanted = new Set(roots);
  // A role on an org inside another role's subtree adds nothing: keep the outermost.
  const inside = (id: number): boolean => {
    let parent = nodes.get(id)?.parent_id;
    while (parent != null) {
      if (wanted.has(parent)) return true;
      parent = nodes.get(parent)?.parent_id;
    }
    return false;
  };
  return roots.filter((id) => nodes.has(id) && !inside(id)).map((id) => nodes.get(id)!);
}

export function flatten(trees: OrgNode[]): OrgNode[] {
  return trees.flatMap((t) => [t, ...flatten(t.children)]);
}

export const useSession = defineStore("session", {
  state: () => ({
    token: getToken(),
    me: null as Me | null,
    orgs: [] as Org[],
    vocab: null as Vocabularies | null,
    orgId: null as number | null,
  }),
  getters: {
    loggedIn: (s) => !!s.token,
    staffRoles: (s) => (s.me?.roles ?? []).filter((r) => STAFF_ROLES.includes(r.role)),
    isStaff(): boolean {
      return this.staffRoles.length > 0;
    },
    isAdmin(): boolean {
      return this.staffRoles.some((r) => r.role === "admin");
    },
    trees(): OrgNode[] {
      return reachTrees(this.orgs, [...new Set(this.staffRoles.map((r) => r.org_id))]);
    },
    reach(): OrgNode[] {
      return flatten(this.trees);
    },
    orgName(): (id: number | null | undefined) => string {
      const names = new Map(this.orgs.map((o) => [o.id, o.name]));
      return (id) => (id == null ? "" : names.get(id) ?? `组织${id}`);
    },
    label(): (vocabulary: keyof Vocabularies, code: string | null | undefined) => string {
      return (vocabulary, code) => (code == null ? "" : this.vocab?.[vocabulary]?.[code] ?? code);
    },
  },
  actions: {
    async login(token: string) {
      setToken(token);
      this.token = token;
      await this.load();
    },
    async load() {
      const [me, orgs, vocab] = await Promise.all([
        must(api.GET("/api/v1/me")),
        must(api.GET("/api/v1/orgs", { params: { query: {} } })),
        this.vocab ? Promise.resolve(this.vocab) : must(api.GET("/api/v1/vocabularies")),
      ]);
      this.me = me;
      this.orgs = orgs.items;
      this.vocab = vocab;
      if (this.orgId == null || !this.reach.some((o) => o.id === this.orgId)) this.orgId = this.trees[0]?.id ?? null;
    },
    async logout() {
      if (this.token) await api.POST("/api/v1/auth/logout").catch(() => undefined);
      this.forget();
    },
    forget() {
      setToken(null);
      this.token = null;
      this.me = null;
    },
  },
});
