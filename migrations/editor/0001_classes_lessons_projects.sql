CREATE TYPE "public"."school_project_state" AS ENUM('unsubmitted', 'submitted', 'returned', 'complete');--> statement-breakpoint
CREATE TABLE "class_students" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"school_class_id" uuid NOT NULL,
	"student_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "class_students_class_student_key" UNIQUE("school_class_id","student_id")
);
--> statement-breakpoint
CREATE TABLE "projects" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"lesson_id" uuid,
	"remixed_from_id" uuid,
	"user_id" uuid NOT NULL,
	"name" text NOT NULL,
	"project_type" text DEFAULT 'python' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "projects_lesson_id_key" UNIQUE("lesson_id")
);
--> statement-breakpoint
CREATE TABLE "school_projects" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"school_id" uuid NOT NULL,
	"project_id" uuid NOT NULL,
	"finished" boolean DEFAULT false NOT NULL,
	"state" "school_project_state" DEFAULT 'unsubmitted' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "school_projects_project_id_key" UNIQUE("project_id")
);
--> statement-breakpoint
ALTER TABLE "lessons" ADD COLUMN "submitted_projects_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "class_students" ADD CONSTRAINT "class_students_school_class_id_school_classes_id_fk" FOREIGN KEY ("school_class_id") REFERENCES "public"."school_classes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "projects" ADD CONSTRAINT "projects_lesson_id_lessons_id_fk" FOREIGN KEY ("lesson_id") REFERENCES "public"."lessons"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "projects" ADD CONSTRAINT "projects_remixed_from_id_projects_id_fk" FOREIGN KEY ("remixed_from_id") REFERENCES "public"."projects"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "school_projects" ADD CONSTRAINT "school_projects_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "school_projects" ADD CONSTRAINT "school_projects_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "projects_remixed_from_id_idx" ON "projects" USING btree ("remixed_from_id");--> statement-breakpoint
ALTER TABLE "lessons" DROP COLUMN "description";--> statement-breakpoint
ALTER TABLE "school_classes" DROP COLUMN "description";--> statement-breakpoint
ALTER TABLE "lessons" ADD CONSTRAINT "lessons_visibility_known" CHECK ("lessons"."visibility" IN ('private', 'teachers', 'students', 'public'));