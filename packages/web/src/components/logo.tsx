export function Logo({ size = 28 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 512 512" aria-hidden="true" className="logo">
      <defs>
        <linearGradient id="loft-logo-g" x1="0" y1="0" x2="1" y2="1">
          <stop offset="0" stopColor="#3b82f6" />
          <stop offset="1" stopColor="#4f46e5" />
        </linearGradient>
      </defs>
      <rect width="512" height="512" rx="112" fill="url(#loft-logo-g)" />
      <path
        d="M128 220 L256 128 L384 220 V376 a24 24 0 0 1 -24 24 H152 a24 24 0 0 1 -24 -24 Z"
        fill="#fff"
        opacity="0.95"
      />
      <path d="M200 300 h112 M200 348 h112" stroke="#4f46e5" strokeWidth="28" strokeLinecap="round" />
    </svg>
  );
}
