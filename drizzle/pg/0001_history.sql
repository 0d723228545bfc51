CREATE TABLE "doc_checkpoints" (
	"doc_id" text NOT NULL,
	"seq" bigint NOT NULL,
	"state" "bytea" NOT NULL,
	CONSTRAINT "doc_checkpoints_doc_id_seq_pk" PRIMARY KEY("doc_id","seq")
);
--> statement-breakpoint
CREATE TABLE "doc_versions" (
	"doc_id" text NOT NULL,
	"seq" bigint NOT NULL,
	"name" text,
	"at" bigint NOT NULL,
	"by_sub" text,
	"by_name" text,
	CONSTRAINT "doc_versions_doc_id_seq_pk" PRIMARY KEY("doc_id","seq")
);
--> statement-breakpoint
ALTER TABLE "doc_checkpoints" ADD CONSTRAINT "doc_checkpoints_doc_id_documents_id_fk" FOREIGN KEY ("doc_id") REFERENCES "public"."documents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "doc_versions" ADD CONSTRAINT "doc_versions_doc_id_documents_id_fk" FOREIGN KEY ("doc_id") REFERENCES "public"."documents"("id") ON DELETE cascade ON UPDATE no action;