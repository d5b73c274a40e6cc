/** A Terraform resource name from a repository name or prefix (`shop/api` → `shop_api`). */
export function constructId(name: string): string {
  const id = name.replace(/[^A-Za-z0-9_-]/g, '_');
  return /^[A-Za-z_]/.test(id) ? id : `_${id}`;
}
