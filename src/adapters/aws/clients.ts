/** One SDK client per region, made on first use; credentials and endpoints come from the SDK's own chain. */
export function perRegion<C>(make: (region: string) => C): (region: string) => C {
  const clients = new Map<string, C>();
  return (region) => {
    let c = clients.get(region);
    if (c === undefined) {
      c = make(region);
      clients.set(region, c);
    }
    return c;
  };
}
