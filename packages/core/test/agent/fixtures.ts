/** Two tenants' documents for the agent tests and the demo: deliberately different topics. */
export const ACME_DOCS: Record<string, string> = {
  "refund-policy.md": `# Refund policy

Annual plans can be refunded in full within 30 days of purchase. After 30 days, annual plans are refunded pro rata for the unused months.

Monthly plans are not refundable, but they can be cancelled at any time and stay active until the end of the billing period.

Refunds are paid back to the original payment method within 5 business days.`,
  "shipping.md": `# Shipping

Hardware orders ship from our warehouse in Rotterdam. Standard shipping takes 3 to 5 business days within the EU.

Express shipping is available for an extra fee and arrives the next business day when ordered before 14:00.`,
  "security.md": `# Security

All customer data is encrypted at rest with AES-256 and in transit with TLS 1.3.

Administrators can enforce single sign-on and two-factor authentication for every workspace member.`,
  "support.md": `# Support

Support is available by email around the clock. Phone support is included in the Business plan and is open from 8:00 to 18:00 CET on weekdays.

Critical incidents are acknowledged within one hour.`,
};

export const GLOBEX_DOCS: Record<string, string> = {
  "onboarding.md": `# Onboarding

New employees receive their laptop on the first day. The IT desk configures the laptop before the employee arrives.

Every new employee meets their buddy during the first week.`,
  "vpn.md": `# VPN

The VPN must be configured before accessing the intranet from home. Use the GlobalProtect client with your employee badge number.

The VPN disconnects automatically after 12 hours.`,
  "expenses.md": `# Expenses

Travel expenses are reimbursed within two weeks when the receipts are uploaded to the expense portal.

Meals during business travel are covered up to 40 euros per day.`,
};
