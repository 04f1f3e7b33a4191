import "@copilotkit/react-core/v2/styles.css";
import type { ReactNode } from "react";

export const metadata = { title: "RagKit on Next.js" };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body style={{ fontFamily: "system-ui, sans-serif", margin: 0 }}>{children}</body>
    </html>
  );
}
