/** A Secret's data as the API returns it (base64 values), decoded to text. */
export function decodeSecretData(data: Readonly<Record<string, string>>): Record<string, string> {
  const decoded: Record<string, string> = {};
  for (const [key, value] of Object.entries(data)) decoded[key] = Buffer.from(value, 'base64').toString('utf8');
  return decoded;
}
