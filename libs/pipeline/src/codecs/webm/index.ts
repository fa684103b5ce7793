// WebM (Matroska subset) writing: EBML elements and an Opus track muxer for Media Source and files.
export * from './ebml';
export * from './opus-muxer';
