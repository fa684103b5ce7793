// Ogg container and Opus-in-Ogg mapping: pages, CRC, OpusHead/OpusTags, TOC helpers, muxer and demuxer.
export * from './crc';
export * from './opus-toc';
export * from './opus-head';
export * from './page-writer';
export * from './page-reader';
export * from './opus-muxer';
export * from './opus-demuxer';
