import { describe, expect, it } from "vitest";
import { classifyAddress, isIpLiteral } from "../../src/net/address.js";

/** [address, range it must be classified as] — every one refused. */
const refused: Array<[string, string]> = [
  // IPv4
  ["0.0.0.0", "unspecified"],
  ["0.1.2.3", "unspecified"],
  ["10.0.0.1", "private"],
  ["10.255.255.255", "private"],
  ["100.64.0.1", "carrierGradeNat"],
  ["100.127.255.254", "carrierGradeNat"],
  ["127.0.0.1", "loopback"],
  ["127.255.255.254", "loopback"],
  ["169.254.0.1", "linkLocal"],
  ["169.254.169.254", "linkLocal"],
  ["172.16.0.1", "private"],
  ["172.31.255.255", "private"],
  ["192.0.0.1", "reserved"],
  ["192.0.0.170", "reserved"],
  ["192.0.2.1", "reserved"],
  ["192.88.99.1", "reserved"],
  ["192.168.1.1", "private"],
  ["192.175.48.1", "as112"],
  ["192.52.193.1", "amt"],
  ["198.18.0.1", "reserved"],
  ["198.19.255.255", "reserved"],
  ["198.51.100.7", "reserved"],
  ["203.0.113.9", "reserved"],
  ["224.0.0.1", "multicast"],
  ["239.255.255.250", "multicast"],
  ["240.0.0.1", "reserved"],
  ["255.255.255.254", "reserved"],
  ["255.255.255.255", "broadcast"],
  // IPv6
  ["::", "unspecified"],
  ["::1", "loopback"],
  ["::ffff:127.0.0.1", "ipv4Mapped"],
  ["::ffff:7f00:1", "ipv4Mapped"],
  ["::ffff:169.254.169.254", "ipv4Mapped"],
  ["::ffff:8.8.8.8", "ipv4Mapped"],
  ["::127.0.0.1", "ipv4Compatible"],
  ["::7f00:1", "ipv4Compatible"],
  ["::8.8.8.8", "ipv4Compatible"],
  ["::ffff:0:7f00:1", "rfc6145"],
  ["64:ff9b::a9fe:a9fe", "rfc6052"],
  ["64:ff9b::169.254.169.254", "rfc6052"],
  ["64:ff9b::7f00:1", "rfc6052"],
  ["64:ff9b::10.0.0.1", "rfc6052"],
  ["64:ff9b:1::808:808", "nat64LocalUse"],
  ["2002:7f00:1::1", "6to4"],
  ["2002:a9fe:a9fe::", "6to4"],
  ["2002:c0a8:101::1", "6to4"],
  // Teredo: server 65.54.227.120 (public), client 192.0.2.45 (documentation), inverted in the low 32 bits.
  ["2001:0:4136:e378:8000:63bf:3fff:fdd2", "teredo"],
  // Teredo: client 127.0.0.1 (inverted: 80ff:fffe).
  ["2001:0:4136:e378:8000:63bf:80ff:fffe", "teredo"],
  ["fe80::1", "linkLocal"],
  ["febf:ffff::1", "linkLocal"],
  ["fec0::1", "deprecatedSiteLocal"],
  ["fc00::1", "uniqueLocal"],
  ["fd00:ec2::254", "uniqueLocal"],
  ["ff02::1", "multicast"],
  ["ff05::1:3", "multicast"],
  ["2001:db8::1", "reserved"],
  ["2001:db8:ffff:ffff::1", "reserved"],
  ["3fff::1", "reserved"],
  ["2001:2::1", "benchmarking"],
  ["2001:3::1", "amt"],
  ["2001:10::1", "deprecatedOrchid"],
  ["2001:20::1", "orchid2"],
  ["100::1", "discard"],
  ["5f00::1", "segmentRouting"],
  ["4000::1", "unallocated"],
  ["1000::1", "unallocated"],
];

const allowed = [
  "1.1.1.1",
  "8.8.8.8",
  "11.0.0.1",
  "93.184.215.14",
  "100.63.255.255",
  "100.128.0.1",
  "169.253.255.255",
  "172.15.255.255",
  "172.32.0.1",
  "192.167.255.255",
  "198.17.255.255",
  "198.20.0.1",
  "223.255.255.255",
  "2606:4700:4700::1111",
  "2001:4860:4860::8888",
  "2a00:1450:4001:80b::200e",
  // NAT64 / 6to4 / Teredo carrying public IPv4 addresses are how IPv6-only networks reach the internet.
  "64:ff9b::808:808",
  "64:ff9b::8.8.8.8",
  "2002:808:808::1",
  "2001:0:4136:e378:8000:63bf:f7f7:f7f7",
];

describe("classifyAddress (ipaddr.js ranges + embedded IPv4)", () => {
  it.each(refused)("refuses %s (%s)", (address, range) => {
    const c = classifyAddress(address);
    expect(c.range).toBe(range);
    expect(c.public).toBe(false);
  });

  it.each(allowed)("allows %s", (address) => {
    expect(classifyAddress(address)).toMatchObject({ public: true });
  });

  it("decodes the IPv4 address inside NAT64, 6to4 and Teredo addresses", () => {
    expect(classifyAddress("64:ff9b::a9fe:a9fe").embedded).toEqual([
      { address: "169.254.169.254", family: 4, range: "linkLocal", public: false },
    ]);
    expect(classifyAddress("2002:c0a8:101::1").embedded?.map((e) => e.address)).toEqual(["192.168.1.1"]);
    expect(classifyAddress("2001:0:4136:e378:8000:63bf:3fff:fdd2").embedded?.map((e) => e.address)).toEqual([
      "65.54.227.120",
      "192.0.2.45",
    ]);
  });

  it("reads every literal form a resolver accepts, and canonicalises it", () => {
    for (const form of ["127.1", "0x7f.1", "0177.0.0.1", "2130706433", "0x7f000001", "[::1]"]) {
      expect(isIpLiteral(form)).toBe(true);
      expect(classifyAddress(form)).toMatchObject({ range: "loopback", public: false });
    }
    expect(classifyAddress("0:0:0:0:0:FFFF:7F00:0001").address).toBe("::ffff:7f00:1");
    expect(isIpLiteral("example.com")).toBe(false);
    expect(() => classifyAddress("example.com")).toThrow();
  });
});
