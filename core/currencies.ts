/**
 * The active ISO 4217 currency codes. A CUR line in any other "currency" is still imported (never dropped), but
 * shown as XXX — ISO 4217's own code for "no currency" — and flagged REVIEW_CURRENCY, because three capital
 * letters alone ("ABC", "USX") say nothing about the money's unit.
 */
const ACTIVE = `AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD
CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ
GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD
LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP
PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND
TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG`;

const KNOWN: ReadonlySet<string> = new Set(ACTIVE.split(/\s+/));

/** The code shown for a credit whose currency is missing or unknown. */
export const NO_CURRENCY = 'XXX';

export function isKnownCurrency(code: string): boolean {
  return KNOWN.has(code);
}
