// Package awslimits holds limits the AWS API references document for calls
// byok makes, in one place, so that the caller (the Config rule) and the
// sandbox that emulates AWS count them the same way. It owns definitions
// only: no I/O, no AWS SDK.
//
// AWS models its APIs in Smithy, whose @length trait on a string counts
// Unicode code points ("characters"), not bytes: an annotation of 256
// "é" is valid although it is 512 bytes of UTF-8.
package awslimits
