// The one SDP question the encrypted security profile asks: is every audio and video stream SRTP?

/**
 * The m= lines of active audio and video streams that would flow as plain RTP: neither a secure profile
 * (RTP/SAVP, RTP/SAVPF, UDP/TLS/RTP/SAVP[F]) nor an `a=crypto:` attribute (SDES keys, RFC 4568, which is a
 * media-level attribute) in their section. Streams on port 0 are disabled and need nothing; other media (T.38
 * image, application) are not RTP.
 */
export function plainRtpStreams(sdp: string): string[] {
  const plain: string[] = [];
  let current: { line: string; protected: boolean } | undefined;
  const close = () => {
    if (current && !current.protected) plain.push(current.line);
  };
  for (const line of sdp.split(/\r?\n/)) {
    if (line.startsWith('m=')) {
      close();
      const [media = '', port = '', proto = ''] = line.slice(2).trim().split(/\s+/);
      const rtp = (media === 'audio' || media === 'video') && Number.parseInt(port, 10) !== 0;
      current = { line, protected: !rtp || /SAVP/i.test(proto) };
    } else if (current && /^a=crypto:/i.test(line)) current.protected = true;
  }
  close();
  return plain;
}
