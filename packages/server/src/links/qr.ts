import QRCode from 'qrcode';

/** QR codes of a link's URL; medium error correction survives a smudged print. */
const OPTIONS = { errorCorrectionLevel: 'M', margin: 2 } as const;

export const qrSvg = (text: string): Promise<string> => QRCode.toString(text, { ...OPTIONS, type: 'svg' });

export const qrPng = (text: string): Promise<Buffer> =>
  QRCode.toBuffer(text, { ...OPTIONS, type: 'png', width: 512 });
