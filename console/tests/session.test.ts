import { beforeEach, describe, expect, it } from "vitest";
import { createPinia, setActivePinia } from "pinia";
import { flatten, reachTrees, useSession } from "../src/stores/session";

const orgs = [
  { id: 1, name: "市协会", kind: "association", district: "杭州市", parent_id: null },
  { id: 2, name: "上城区分会", kind: "branch", district: "上城区", parent_id: 1 },
  { id: 3, name: "湖滨党支部", kind: "party_branch", district: "上城区", parent_id: 2 },
  { id: 4, name: "西湖区分会", kind: "branch", district: "西湖区", parent_id: 1 },
];

describe("the caller's reach", () => {
  it("is the subtrees under their roles, an org inside another role's subtree counted once", () => {
    const trees = reachTrees(orgs, [3, 2]);
    expect(trees.map((t) => t.id)).toEqual([2]);
    expect(flatten(trees).map((o) => o.name)).toEqual(["上城区分会", "湖滨党支部"]);
    expect(flatten(reachTrees(orgs, [4, 3])).map((o) => o.id)).toEqual([4, 3]);
    expect(reachTrees(orgs, [99])).toEqual([]);
  });
});

describe("the session", () => {
  beforeEach(() => setActivePinia(createPinia()));

  it("knows staff from members and admins from secretaries", () => {
    const session = useSession();
    session.me = { user: { id: 1 }, roles: [{ role: "secretary", org_id: 3, org_name: "湖滨党支部" }], member: null, registration: null } as never;
    expect([session.isStaff, session.isAdmin]).toEqual([true, false]);
    session.me = { user: { id: 2 }, roles: [], member: null, registration: null } as never;
    expect(session.isStaff).toBe(false);
  });

  it("shows Chinese names from the server's vocabularies, the code only when one is unknown", () => {
    const session = useSession();
    session.vocab = { category: { floating: "流动党员" } } as never;
    expect(session.label("category", "floating")).toBe("流动党员");
    expect(session.label("category", "martian")).toBe("martian");
    expect(session.label("category", null)).toBe("");
    session.orgs = orgs;
    expect(session.orgName(3)).toBe("湖滨党支部");
  });
});
