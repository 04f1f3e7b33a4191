import type { DatasetSpecInput } from "@ragkit/core";

export function shopSchemaSql(appRole?: string): string;
export interface ShopCustomer {
  id: number;
  tenant_id: string;
  name: string;
  segment: string;
  country: string;
  signed_up: string;
}
export interface ShopOrder {
  id: number;
  tenant_id: string;
  customer_id: number;
  ordered_on: string;
  status: string;
  category: string;
  quantity: number;
  amount: number;
}
export function shopRows(
  tenantId: string,
  sizes?: { customers?: number; orders?: number },
): { customers: ShopCustomer[]; orders: ShopOrder[] };
export function seedShop(
  query: (sql: string, params?: readonly unknown[]) => Promise<unknown>,
  tenantId: string,
  sizes?: { customers?: number; orders?: number },
): Promise<{ customers: ShopCustomer[]; orders: ShopOrder[] }>;
export const customersDataset: DatasetSpecInput;
export const ordersDataset: DatasetSpecInput;
export const SHOP_QUESTIONS: Array<{ question: string; reference: string }>;
export function resultKey(rows: ReadonlyArray<Record<string, unknown>>): string;
